/**
 * Tabs of one device sync over a BroadcastChannel (browser, and Node 20 for tests).
 * Every tab announces itself; each pair of tabs gets a channel identified by both tabs' epochs
 * (a new epoch per start), so messages from an older connection never leak into a newer one.
 * BroadcastChannel keeps each sender's messages in order, which gives per-channel ordering.
 */
import type { Channel, PeerId, Transport } from '../ports';
import { ChannelBase } from '../channel-base';
import { randomHex } from '../../lib/random-hex';

export interface BroadcastTransportOptions {
  /** The BroadcastChannel name; one per network, e.g. `pamoja-sync:<network id>`. */
  name: string;
  /** This tab's id; random by default. */
  peerId?: string;
}

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
  constructor(
    readonly peerEpoch: string,
    private readonly post: (wire: Wire) => void,
    private readonly address: { from: string; fromEpoch: string; to: string; toEpoch: string },
    private readonly forget: () => void,
  ) {
    super();
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
  const listeners = new Set<(peer: PeerId, channel: Channel) => void>();
  const channels = new Map<string, TabChannel>();
  let bc: BroadcastChannel | undefined;
  let epoch = '';

  const post = (wire: Wire): void => bc?.postMessage(wire);

  function connect(peer: string, peerEpoch: string): void {
    const existing = channels.get(peer);
    if (existing?.peerEpoch === peerEpoch) return;
    existing?.fireClose('peer-restarted');
    const channel: TabChannel = new TabChannel(
      peerEpoch,
      post,
      { from: me, fromEpoch: epoch, to: peer, toEpoch: peerEpoch },
      () => {
        if (channels.get(peer) === channel) channels.delete(peer);
      },
    );
    channels.set(peer, channel);
    for (const listener of [...listeners]) listener(peer as PeerId, channel);
  }

  function receive(data: unknown): void {
    const wire = parse(data);
    if (!wire || wire.from === me) return;
    if (wire.t === 'announce') {
      // Welcome first: the new channel's listeners may send at once, and the peer only accepts
      // data for a channel it knows of (BroadcastChannel keeps one sender's messages in order).
      post({ t: 'welcome', from: me, fromEpoch: epoch, to: wire.from, toEpoch: wire.fromEpoch });
      connect(wire.from, wire.fromEpoch);
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
      bc = new BroadcastChannel(options.name);
      bc.onmessage = (event: MessageEvent) => receive(event.data);
      post({ t: 'announce', from: me, fromEpoch: epoch });
    },
    stop,
  };
}
