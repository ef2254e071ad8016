/**
 * How many RTCPeerConnections a device may hold at once, connecting ones included (L2). A
 * browser refuses connections past its own cap (Chromium: 500) by throwing, so a flood of
 * announces must never get near it: peers beyond the budget wait in line, oldest first, and are
 * dialled as connections end. Half-open attempts count and time out, so the line moves.
 */
export const DEFAULT_MAX_PEER_CONNECTIONS = 24;

export class ConnectionBudget {
  /** Peer ids waiting for room, in the order they asked (a Set keeps insertion order). */
  private readonly waiting = new Set<string>();

  constructor(
    readonly limit: number,
    /** Live connections (connecting or open) now. */
    private readonly live: () => number,
  ) {}

  hasRoom(): boolean {
    return this.live() < this.limit;
  }

  /** Puts a peer in line (once; a peer already waiting keeps its place). */
  wait(peerId: string): void {
    this.waiting.add(peerId);
  }

  forget(peerId: string): void {
    this.waiting.delete(peerId);
  }

  waitingCount(): number {
    return this.waiting.size;
  }

  /** The next peer to dial if there is room now, taken out of the line. */
  next(): string | undefined {
    if (!this.hasRoom()) return undefined;
    const first = this.waiting.values().next();
    if (first.done) return undefined;
    this.waiting.delete(first.value);
    return first.value;
  }

  clear(): void {
    this.waiting.clear();
  }
}
