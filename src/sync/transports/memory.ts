/**
 * An in-memory network of transports with a seeded scheduler, for tests and the benchmark.
 * Channels are reliable and ordered, like WebRTC reliable data channels; faults are modelled as
 * the scheduler sees fit, deterministically from the seed:
 * - delay: which link delivers next is a seeded choice, so frames on different links interleave;
 * - loss: the link dies (in-flight frames are lost, both ends close); `reconnect()` re-opens it;
 * - duplicate / reorder: a frame is delivered twice, or out of turn, to exercise the decoder.
 * Partitions close the links that cross them; `heal()` re-opens them.
 *
 * With `shaping` the network runs in simulated time instead (T10): each direction of a link has a
 * bandwidth and a latency, a lost frame is delivered late as a reliable channel's retransmission
 * would be (never dropped, never overtaken), `writable()` waits while the sender's queue is above
 * a low-water mark, and a queue above `maxBufferedBytes` closes the channel as Chromium does.
 * Events are delivered in time order and `now()` is the simulated clock, so hours of a slow link
 * take seconds.
 */
import { createSeededRandom, type Random } from '../../lib/deps';
import type { Channel, PeerId, Transport } from '../ports';
import { ChannelBase } from '../channel-base';

export interface FaultRates {
  loss: number;
  duplicate: number;
  reorder: number;
}

export interface LinkShaping {
  /** Per direction, in bits per second. */
  bandwidthBps: number;
  /** One-way propagation delay. */
  latencyMs: number;
  /** Chance that a frame is lost once and delivered after `retransmitMs` more (seeded). */
  lossRate: number;
  retransmitMs: number;
  /** `writable()` resolves once the sender's queued bytes are at most this. */
  lowWaterBytes: number;
  /** A send that would queue more than this closes the channel (`send-queue-full`). */
  maxBufferedBytes?: number;
}

export interface MemoryNetworkOptions {
  seed: number;
  /** 'microtask' delivers on its own; 'manual' (default) only in `step`/`flush`. */
  delivery?: 'manual' | 'microtask';
  faults?: Partial<FaultRates>;
  /** T10: simulated time, bandwidth, retransmission delay and a send queue (see above). */
  shaping?: LinkShaping;
}

export interface NetworkStats {
  framesDelivered: number;
  bytesDelivered: number;
  linksLost: number;
  duplicated: number;
  reordered: number;
}

export interface MemoryNetwork {
  /** The transport of one node (created on first use, online). */
  node(id: string): Transport;
  link(a: string, b: string): void;
  unlink(a: string, b: string): void;
  setOnline(id: string, online: boolean): void;
  /** Nodes in different groups cannot talk; nodes in no group form one more group. */
  partition(groups: readonly (readonly string[])[]): void;
  heal(): void;
  /** Re-opens every wanted, allowed link that is down (after loss or a protocol close). */
  reconnect(): void;
  setFaults(faults: Partial<FaultRates>): void;
  isConnected(a: string, b: string): boolean;
  /** Delivers one frame or close; false when nothing is in flight. */
  step(): boolean;
  /** Delivers until nothing is in flight and receivers have gone quiet. */
  flush(maxRounds?: number): Promise<void>;
  inFlight(): number;
  /** Simulated milliseconds (shaped networks; 0 otherwise). */
  now(): number;
  /** Largest send queue any channel had, in bytes (shaped networks). */
  readonly peakBufferedBytes: number;
  readonly stats: NetworkStats;
  /** Errors thrown by receivers (a correct engine never throws into its transport). */
  readonly receiverErrors: unknown[];
}

/** `at`: simulated delivery time (shaped networks only). */
type Event =
  { type: 'frame'; bytes: Uint8Array; at: number } | { type: 'close'; reason: string; at: number };

/** What a shaped link needs from its network. */
interface Shaper {
  shaping: LinkShaping;
  now(): number;
  lost(): boolean;
  overflow(end: End): void;
  noteBuffered(bytes: number): void;
}

class End extends ChannelBase {
  /** Events travelling towards this end. */
  readonly inbound: Event[] = [];
  other!: End;
  /** Shaped: bytes sent from this end and not yet delivered, and when the link is next free. */
  buffered = 0;
  private busyUntil = 0;
  private lastArrival = 0;
  private writableWaiters: (() => void)[] = [];

  constructor(
    private readonly onSend: () => void,
    private readonly shaper?: Shaper,
  ) {
    super();
  }

  send(frame: Uint8Array): void {
    if (this.closed || this.other.closed) return;
    const at = this.arrivalOf(frame.length);
    if (this.shaper) {
      const max = this.shaper.shaping.maxBufferedBytes;
      if (max !== undefined && this.buffered + frame.length > max) {
        this.shaper.overflow(this);
        return;
      }
      this.buffered += frame.length;
      this.shaper.noteBuffered(this.buffered);
    }
    this.other.inbound.push({ type: 'frame', bytes: frame.slice(), at });
    this.onSend();
  }

  override writable(): Promise<void> {
    const shaper = this.shaper;
    if (!shaper || this.closed || this.buffered <= shaper.shaping.lowWaterBytes) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.writableWaiters.push(resolve));
  }

  /** A frame sent from this end was delivered: its bytes leave the send queue. */
  delivered(bytes: number): void {
    this.buffered -= bytes;
    if (this.shaper && this.buffered <= this.shaper.shaping.lowWaterBytes) this.wakeWriters();
  }

  close(reason: string): void {
    if (this.closed) return;
    this.fireClose(reason);
    // The peer still receives what was sent before the close, then the close itself.
    if (!this.other.closed)
      this.other.inbound.push({ type: 'close', reason, at: this.arrivalOf(0) });
    this.onSend();
  }

  /** Shaped: serialised on the link, after the frames ahead of it, late if lost. */
  private arrivalOf(bytes: number): number {
    const shaper = this.shaper;
    if (!shaper) return 0;
    const { bandwidthBps, latencyMs, retransmitMs } = shaper.shaping;
    const transmitMs = ((bytes + 28) * 8 * 1000) / bandwidthBps; // + IP/UDP-ish overhead
    const start = Math.max(shaper.now(), this.busyUntil);
    this.busyUntil = start + transmitMs;
    let at = this.busyUntil + latencyMs;
    if (bytes > 0 && shaper.lost()) {
      // The retransmission takes the link again and arrives a timeout later.
      this.busyUntil += transmitMs;
      at += retransmitMs + transmitMs;
    }
    // Reliable and ordered: a late frame holds back the ones behind it.
    this.lastArrival = Math.max(this.lastArrival, at);
    return this.lastArrival;
  }

  private wakeWriters(): void {
    for (const resolve of this.writableWaiters.splice(0)) resolve();
  }

  protected override releaseResources(): void {
    this.inbound.length = 0;
    this.wakeWriters();
  }
}

const linkKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

export function createMemoryNetwork(options: MemoryNetworkOptions): MemoryNetwork {
  const random: Random = createSeededRandom(options.seed);
  let faults: FaultRates = { loss: 0, duplicate: 0, reorder: 0, ...options.faults };
  const listeners = new Map<string, Set<(peer: PeerId, channel: Channel) => void>>();
  const online = new Set<string>();
  const wanted = new Set<string>();
  const links = new Map<string, { a: string; b: string; aEnd: End; bEnd: End }>();
  let groupOf = new Map<string, number>();
  const stats: NetworkStats = {
    framesDelivered: 0,
    bytesDelivered: 0,
    linksLost: 0,
    duplicated: 0,
    reordered: 0,
  };
  const receiverErrors: unknown[] = [];
  let drainScheduled = false;
  let now = 0;
  let peakBufferedBytes = 0;
  const shaper: Shaper | undefined = options.shaping && {
    shaping: options.shaping,
    now: () => now,
    lost: () => random.next() < (options.shaping?.lossRate ?? 0),
    overflow(end) {
      const lost = [...links].find(([, l]) => l.aEnd === end || l.bEnd === end);
      if (lost) kill(lost[0], 'send-queue-full');
    },
    noteBuffered(bytes) {
      peakBufferedBytes = Math.max(peakBufferedBytes, bytes);
    },
  };

  function scheduleDrain(): void {
    if (options.delivery !== 'microtask' || drainScheduled) return;
    drainScheduled = true;
    queueMicrotask(() => {
      drainScheduled = false;
      for (let i = 0; i < 100_000 && step(); i++);
    });
  }

  function node(id: string): Transport {
    if (!listeners.has(id)) {
      listeners.set(id, new Set());
      online.add(id);
    }
    return {
      onPeerConnected(listener) {
        const set = listeners.get(id) as Set<(peer: PeerId, channel: Channel) => void>;
        set.add(listener);
        for (const link of links.values()) {
          if (link.a === id && !link.aEnd.closed) listener(link.b as PeerId, link.aEnd);
          if (link.b === id && !link.bEnd.closed) listener(link.a as PeerId, link.bEnd);
        }
        return () => set.delete(listener);
      },
    };
  }

  const allowed = (a: string, b: string): boolean =>
    online.has(a) && online.has(b) && (groupOf.get(a) ?? -1) === (groupOf.get(b) ?? -1);

  function isUp(key: string): boolean {
    const link = links.get(key);
    return link !== undefined && !link.aEnd.closed && !link.bEnd.closed;
  }

  let linkSerial = 0;
  function open(a: string, b: string): void {
    const key = linkKey(a, b);
    if (isUp(key)) return;
    const existing = links.get(key);
    if (existing) kill(key, 'replaced');
    const aEnd = new End(scheduleDrain, shaper);
    const bEnd = new End(scheduleDrain, shaper);
    aEnd.other = bEnd;
    bEnd.other = aEnd;
    // CB3: both ends of one link share a binding no other link has (tests need no secrecy, and
    // drawing from the seeded random would shift every seeded schedule).
    const binding = new TextEncoder().encode(`memory:${key}:${++linkSerial}`);
    aEnd.binding = binding;
    bEnd.binding = binding.slice();
    links.set(key, { a, b, aEnd, bEnd });
    for (const listener of [...(listeners.get(a) ?? [])]) listener(b as PeerId, aEnd);
    for (const listener of [...(listeners.get(b) ?? [])]) listener(a as PeerId, bEnd);
  }

  function kill(key: string, reason: string): void {
    const link = links.get(key);
    if (!link) return;
    links.delete(key);
    link.aEnd.fireClose(reason);
    link.bEnd.fireClose(reason);
  }

  function enforce(): void {
    for (const [key, link] of links) if (!allowed(link.a, link.b)) kill(key, 'link-down');
  }

  function reconnect(): void {
    enforce();
    for (const key of wanted) {
      const [a, b] = key.split('|') as [string, string];
      if (allowed(a, b) && !isUp(key)) open(a, b);
    }
  }

  /** Every end with something in flight towards it. */
  function busyEnds(): End[] {
    const ends: End[] = [];
    for (const link of links.values()) {
      if (link.aEnd.inbound.length > 0) ends.push(link.aEnd);
      if (link.bEnd.inbound.length > 0) ends.push(link.bEnd);
    }
    // Ends of killed links may still hold a close event for a peer that closed gracefully.
    return ends;
  }

  /** T10: the end whose next event is due first; the clock moves to it. */
  function stepShaped(ends: End[]): boolean {
    let end = ends[0] as End;
    for (const candidate of ends) {
      if ((candidate.inbound[0] as Event).at < (end.inbound[0] as Event).at) end = candidate;
    }
    const event = end.inbound.shift() as Event;
    now = Math.max(now, event.at);
    if (event.type === 'close') end.fireClose(event.reason);
    else {
      end.other.delivered(event.bytes.length);
      deliverFrame(end, event.bytes);
    }
    return true;
  }

  function step(): boolean {
    const ends = busyEnds();
    if (ends.length === 0) return false;
    if (shaper) return stepShaped(ends);
    const end = ends[Math.floor(random.next() * ends.length)] as End;
    const queue = end.inbound;
    let index = 0;
    if (queue.length > 1 && random.next() < faults.reorder) {
      index = 1 + Math.floor(random.next() * (queue.length - 1));
      stats.reordered++;
    }
    const event = queue[index] as Event;
    if (event.type === 'close') {
      // A close is never reordered before the frames sent ahead of it.
      const first = queue.shift() as Event;
      if (first.type === 'close') end.fireClose(first.reason);
      else deliverFrame(end, first.bytes);
      return true;
    }
    if (random.next() < faults.loss) {
      stats.linksLost++;
      const lost = [...links].find(([, l]) => l.aEnd === end || l.bEnd === end);
      if (lost) kill(lost[0], 'link-lost');
      return true;
    }
    queue.splice(index, 1);
    if (random.next() < faults.duplicate) {
      stats.duplicated++;
      const at = Math.floor(random.next() * (queue.length + 1));
      queue.splice(at, 0, { type: 'frame', bytes: event.bytes.slice(), at: event.at });
    }
    deliverFrame(end, event.bytes);
    return true;
  }

  function deliverFrame(end: End, bytes: Uint8Array): void {
    stats.framesDelivered++;
    stats.bytesDelivered += bytes.length;
    end.deliver(bytes, receiverErrors);
  }

  const macrotask = (): Promise<void> =>
    new Promise((resolve) => {
      if (typeof setImmediate === 'function') setImmediate(resolve);
      else setTimeout(resolve, 0);
    });

  return {
    node,
    link(a, b) {
      node(a);
      node(b);
      wanted.add(linkKey(a, b));
      if (allowed(a, b)) open(a, b);
    },
    unlink(a, b) {
      const key = linkKey(a, b);
      wanted.delete(key);
      kill(key, 'unlinked');
    },
    setOnline(id, isOnline) {
      node(id);
      if (isOnline) {
        online.add(id);
        reconnect();
      } else {
        online.delete(id);
        enforce();
      }
    },
    partition(groups) {
      groupOf = new Map();
      groups.forEach((group, index) => group.forEach((id) => groupOf.set(id, index)));
      enforce();
    },
    heal() {
      groupOf = new Map();
      reconnect();
    },
    reconnect,
    setFaults(next) {
      faults = { ...faults, ...next };
    },
    isConnected: (a, b) => isUp(linkKey(a, b)),
    step,
    async flush(maxRounds = 10_000) {
      let quietRounds = 0;
      for (let round = 0; round < maxRounds && quietRounds < 2; round++) {
        let delivered = 0;
        // Shaped: one event per turn, so senders refill the link as it drains, in time order.
        if (shaper) delivered += step() ? 1 : 0;
        else while (step()) delivered++;
        await macrotask();
        quietRounds = delivered === 0 && busyEnds().length === 0 ? quietRounds + 1 : 0;
      }
    },
    inFlight: () => busyEnds().reduce((sum, end) => sum + end.inbound.length, 0),
    now: () => now,
    get peakBufferedBytes() {
      return peakBufferedBytes;
    },
    stats,
    receiverErrors,
  };
}
