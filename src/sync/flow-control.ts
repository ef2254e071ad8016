/**
 * §16 flow control, both halves of one direction of a session. A receiver cannot pause a data
 * channel, so it grants the sender a window (messages and bytes of credited messages in flight,
 * announced in its hello) and gives it back with `credit` messages as it finishes handling them.
 * The sender never has more outstanding than the window (FC3), so the receiver's queue is bounded
 * by construction; a peer that overruns it is cut off with `flood` (FC5).
 */
import type { Message } from './codec';

/** FC2: the kinds that do not count against the window: they define or return it, or end it. */
/** Before the hello there is no window yet, so the auth phase's messages are not credited. */
const UNCREDITED = new Set<string>(['hello', 'auth', 'enrol', 'membership', 'credit', 'close']);

export function isCredited(kind: Message['kind']): boolean {
  return !UNCREDITED.has(kind);
}

/** The sender's view of the peer's window (FC3, FC4). */
export class SendWindow {
  private maxMessages = 0;
  private maxBytes = 0;
  private known = false;
  private messages = 0;
  private bytes = 0;
  private waiters: (() => void)[] = [];
  private cancelled = false;

  /** FC1: the peer's hello told us its window; until then nothing credited is sent (FC6). */
  open(messages: number, bytes: number): void {
    this.maxMessages = Math.max(1, messages);
    this.maxBytes = Math.max(1, bytes);
    this.known = true;
    this.wake();
  }

  get outstandingMessages(): number {
    return this.messages;
  }

  get outstandingBytes(): number {
    return this.bytes;
  }

  /**
   * FC3: a message of `size` bytes may go when it fits, or alone when nothing is outstanding
   * (so a message larger than the byte window still travels, one at a time).
   */
  private fits(size: number): boolean {
    if (!this.known) return false;
    if (this.messages === 0 && this.bytes === 0) return true;
    return this.messages + 1 <= this.maxMessages && this.bytes + size <= this.maxBytes;
  }

  /** Charges a message of `size` bytes if it fits now. */
  tryAcquire(size: number): boolean {
    if (this.cancelled || !this.fits(size)) return false;
    this.messages++;
    this.bytes += size;
    return true;
  }

  /** Resolves true once a message of `size` bytes has been charged; false if cancelled. */
  async acquire(size: number): Promise<boolean> {
    while (!this.cancelled && !this.fits(size)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.cancelled) return false;
    this.messages++;
    this.bytes += size;
    return true;
  }

  /** FC4: a credit from the peer. False when it returns more than is outstanding. */
  release(messages: number, bytes: number): boolean {
    if (messages > this.messages || bytes > this.bytes) return false;
    this.messages -= messages;
    this.bytes -= bytes;
    this.wake();
    return true;
  }

  /** The session ended: every waiting sender gives up. */
  cancel(): void {
    this.cancelled = true;
    this.wake();
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

/** The receiver's side: what it granted, what is queued, what it owes back (FC5, FC7). */
export class ReceiveWindow {
  /** Credited messages received and not yet given back (queued or handled-but-owed). */
  private messages = 0;
  private bytes = 0;
  private queuedMessages = 0;
  private queuedBytes = 0;
  private owedMessages = 0;
  private owedBytes = 0;
  /** Largest queue seen, for tests and the benchmark. */
  peakQueuedMessages = 0;
  peakQueuedBytes = 0;

  constructor(
    readonly maxMessages: number,
    readonly maxBytes: number,
  ) {}

  /** FC5: admits a credited message of `size` bytes, or says the peer overran the window. */
  admit(size: number): boolean {
    const alone = this.messages === 0 && this.bytes === 0;
    if (!alone && (this.messages + 1 > this.maxMessages || this.bytes + size > this.maxBytes)) {
      return false;
    }
    this.messages++;
    this.bytes += size;
    this.queuedMessages++;
    this.queuedBytes += size;
    this.peakQueuedMessages = Math.max(this.peakQueuedMessages, this.queuedMessages);
    this.peakQueuedBytes = Math.max(this.peakQueuedBytes, this.queuedBytes);
    return true;
  }

  /**
   * FC7: a credited message was handled. Returns the credit to send now, if any: once the queue
   * is empty (so a sender never waits on credit the receiver sits on), or once half the window
   * is owed (so a busy receiver keeps the sender going).
   */
  handled(size: number): { messages: number; bytes: number } | null {
    this.queuedMessages--;
    this.queuedBytes -= size;
    this.owedMessages++;
    this.owedBytes += size;
    const due =
      this.queuedMessages === 0 ||
      this.owedMessages * 2 >= this.maxMessages ||
      this.owedBytes * 2 >= this.maxBytes;
    if (!due) return null;
    const credit = { messages: this.owedMessages, bytes: this.owedBytes };
    this.messages -= this.owedMessages;
    this.bytes -= this.owedBytes;
    this.owedMessages = 0;
    this.owedBytes = 0;
    return credit;
  }
}
