/**
 * Tabs of one device sync over a BroadcastChannel (browser, and Node 20 for tests).
 * Every tab announces itself; each pair of tabs gets a channel identified by both tabs' epochs
 * (a new epoch per start), so messages from an older connection never leak into a newer one.
 * BroadcastChannel keeps each sender's messages in order, which gives per-channel ordering.
 *
 * Lifecycle (docs/protocol.md §17): a tab that stops says goodbye (`leave`, L4; the app stops the
 * transport on `pagehide`). A tab that dies without one (a crashed renderer, a killed process)
 * falls silent: every tab pings each `keepaliveMs`, and a channel whose peer said nothing for
 * `silenceMs` is closed as `peer-silent` (L5), so record requests end as `not-found` instead of
 * waiting for a tab that is gone. A tab closed as silent that pings again (it was only
 * throttled in the background) is welcomed back (L6).
 */
import type { Channel, PeerId, SyncLogger, Timers, Transport } from '../ports';
import { silentLogger, systemTimers } from '../ports';
import { ChannelBase } from '../channel-base';
import { randomHex } from '../../lib/random-hex';
import { systemClock, type Clock } from '../../lib/deps';

export interface BroadcastTransportOptions {
  /** The BroadcastChannel name; one per network, e.g. `pamoja-sync:<network id>`. */
  name: string;
  /** This tab's id; random by default. */
  peerId?: string;
  /** How often this tab tells the others it is alive. Default 10 s. */
  keepaliveMs?: number;
  /**
   * A peer tab silent this long is taken for gone. Default 65 s: Chromium runs a hidden tab's
   * timers as rarely as once a minute, and a live tab misjudged only costs a reconnect (L6).
   */
  silenceMs?: number;
  timers?: Timers;
  clock?: Clock;
  logger?: SyncLogger;
  /** Default: the global BroadcastChannel (tests inject one to kill a tab without a goodbye). */
  createChannel?: (name: string) => BroadcastChannel;
}

export const PEER_SILENT = 'peer-silent';

export interface BroadcastTransport extends Transport {
  readonly peerId: PeerId;
  /** Joins the channel and announces this tab (again after `stop`). */
  start(): void;
  /** Closes every connection and leaves; call on `pagehide`. */
  stop(): void;
}

type Wire =
  | { t: 'announce'; from: string; fromEpoch: string }
  | { t: 'leave'; from: string; fromEpoch: string }
  | { t: 'ping'; from: string; fromEpoch: string }
  | { t: 'welcome'; from: string; fromEpoch: string; to: string; toEpoch: string }
  | { t: 'data'; from: string; fromEpoch: string; to: string; toEpoch: string; bytes: Uint8Array }
  | { t: 'close'; from: string; fromEpoch: string; to: string; toEpoch: string; reason: string };

const isString = (value: unknown): value is string => typeof value === 'string';

/** Messages come from other tabs of the same origin; still checked, since any script can post. */
function parse(data: unknown): Wire | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const m = data as Record<string, unknown>;
  if (!isString(m.from) || !isString(m.fromEpoch)) return undefined;
  switch (m.t) {
    case 'announce':
    case 'leave':
    case 'ping':
      return m as Wire;
    case 'welcome':
      return isString(m.to) && isString(m.toEpoch) ? (m as Wire) : undefined;
    case 'data':
      return isString(m.to) && isString(m.toEpoch) && m.bytes instanceof Uint8Array
        ? (m as Wire)
        : undefined;
    case 'close':
      return isString(m.to) && isString(m.toEpoch) && isString(m.reason) ? (m as Wire) : undefined;
    default:
      return undefined;
  }
}

const randomId = (): string => randomHex(8);

class TabChannel extends ChannelBase {
  /** When the peer tab was last heard from (any message of its epoch). */
  heardAt: number;

  constructor(
    now: number,
    readonly peerEpoch: string,
    private readonly post: (wire: Wire) => void,
    private readonly address: { from: string; fromEpoch: string; to: string; toEpoch: string },
    private readonly forget: () => void,
  ) {
    super();
    this.heardAt = now;
  }

  send(frame: Uint8Array): void {
    if (this.closed) return;
    this.post({ t: 'data', ...this.address, bytes: frame.slice() });
  }

  close(reason: string): void {
    if (this.closed) return;
    this.post({ t: 'close', ...this.address, reason });
    this.fireClose(reason);
  }

  protected override releaseResources(): void {
    this.forget();
  }
}

export function createBroadcastChannelTransport(
  options: BroadcastTransportOptions,
): BroadcastTransport {
  const me = options.peerId ?? randomId();
  const timers = options.timers ?? systemTimers;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const keepaliveMs = options.keepaliveMs ?? 10_000;
  const silenceMs = options.silenceMs ?? 65_000;
  const createChannel = options.createChannel ?? ((name: string) => new BroadcastChannel(name));
  const listeners = new Set<(peer: PeerId, channel: Channel) => void>();
  const channels = new Map<string, TabChannel>();
  /** Peer epochs closed as silent: a ping from one of them is welcomed back (L6). */
  const silenced = new Map<string, string>();
  let bc: BroadcastChannel | undefined;
  let epoch = '';
  let keepaliveTimer: unknown;

  const post = (wire: Wire): void => {
    try {
      bc?.postMessage(wire);
    } catch (error) {
      // The channel was closed under us (the page is going away): nothing can be sent now.
      logger.log('debug', 'tabs.post-failed', { error: String(error) });
    }
  };

  function connect(peer: string, peerEpoch: string): void {
    const existing = channels.get(peer);
    if (existing?.peerEpoch === peerEpoch) return;
    existing?.fireClose('peer-restarted');
    silenced.delete(peer);
    const channel: TabChannel = new TabChannel(
      clock.now(),
      peerEpoch,
      post,
      { from: me, fromEpoch: epoch, to: peer, toEpoch: peerEpoch },
      () => {
        if (channels.get(peer) === channel) channels.delete(peer);
      },
    );
    // CB4: both tabs compute the same binding from both ends' ids and epochs (new per start).
    const ends = [`${me}/${epoch}`, `${peer}/${peerEpoch}`].sort();
    channel.binding = new TextEncoder().encode(`tabs:${ends.join('|')}`);
    channels.set(peer, channel);
    for (const listener of [...listeners]) listener(peer as PeerId, channel);
  }

  function welcome(peer: string, peerEpoch: string): void {
    // Welcome first: the new channel's listeners may send at once, and the peer only accepts
    // data for a channel it knows of (BroadcastChannel keeps one sender's messages in order).
    post({ t: 'welcome', from: me, fromEpoch: epoch, to: peer, toEpoch: peerEpoch });
    connect(peer, peerEpoch);
  }

  /** L5: pings, and closes the channels of tabs that have been silent too long. */
  function keepalive(): void {
    keepaliveTimer = undefined;
    if (!bc) return;
    post({ t: 'ping', from: me, fromEpoch: epoch });
    const now = clock.now();
    for (const [peer, channel] of [...channels]) {
      if (now - channel.heardAt <= silenceMs) continue;
      logger.log('info', 'tabs.peer-silent', { peer, silentMs: now - channel.heardAt });
      silenced.set(peer, channel.peerEpoch);
      channel.close(PEER_SILENT);
    }
    keepaliveTimer = timers.setTimeout(keepalive, keepaliveMs);
  }

  function receive(data: unknown): void {
    const wire = parse(data);
    if (!wire || wire.from === me) return;
    const known = channels.get(wire.from);
    if (known?.peerEpoch === wire.fromEpoch) known.heardAt = clock.now();
    if (wire.t === 'ping') {
      if (!known && silenced.get(wire.from) === wire.fromEpoch) welcome(wire.from, wire.fromEpoch);
      return;
    }
    if (wire.t === 'announce') {
      welcome(wire.from, wire.fromEpoch);
      return;
    }
    if (wire.t === 'leave') {
      const channel = channels.get(wire.from);
      if (channel?.peerEpoch === wire.fromEpoch) channel.fireClose('peer-left');
      return;
    }
    if (wire.to !== me || wire.toEpoch !== epoch) return;
    if (wire.t === 'welcome') return connect(wire.from, wire.fromEpoch);
    const channel = channels.get(wire.from);
    if (!channel || channel.peerEpoch !== wire.fromEpoch) return;
    if (wire.t === 'data') channel.deliver(wire.bytes);
    else channel.fireClose(wire.reason);
  }

  function stop(): void {
    if (!bc) return;
    if (keepaliveTimer !== undefined) timers.clearTimeout(keepaliveTimer);
    keepaliveTimer = undefined;
    silenced.clear();
    for (const channel of [...channels.values()]) channel.close('stopped');
    post({ t: 'leave', from: me, fromEpoch: epoch });
    bc.close();
    bc = undefined;
  }

  return {
    peerId: me as PeerId,
    onPeerConnected(listener) {
      listeners.add(listener);
      for (const [peer, channel] of channels) listener(peer as PeerId, channel);
      return () => listeners.delete(listener);
    },
    start() {
      if (bc) return;
      epoch = randomId();
      bc = createChannel(options.name);
      bc.onmessage = (event: MessageEvent) => receive(event.data);
      post({ t: 'announce', from: me, fromEpoch: epoch });
      keepaliveTimer = timers.setTimeout(keepalive, keepaliveMs);
    },
    stop,
  };
}
