/**
 * The conformance suite every `Transport` must pass (docs/protocol.md §10, T-rules). A transport's
 * test file calls `runTransportConformance(name, setup)`; the WebRTC transport will too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, PeerId, Transport } from '../../../src/sync/ports';
import { MAX_FRAME_BYTES } from '../../../src/sync/limits';

export interface TransportPair {
  a: Transport;
  b: Transport;
  /** The peer id under which each side appears to the other. */
  aId: string;
  bId: string;
  /** Lets frames and events in flight arrive. */
  flush(): Promise<void>;
  /** Breaks the connection (network loss or one side leaving): both ends must see a close. */
  cut(): Promise<void>;
  /** Brings the connection back: both sides must announce a new channel. */
  restore(): Promise<void>;
  teardown(): Promise<void>;
}

interface Side {
  channels: { peer: PeerId; channel: Channel }[];
  received: Uint8Array[];
  closes: string[];
}

function watch(transport: Transport): Side {
  const side: Side = { channels: [], received: [], closes: [] };
  transport.onPeerConnected((peer, channel) => {
    side.channels.push({ peer, channel });
    channel.onMessage((frame) => side.received.push(frame.slice()));
    channel.onClose((reason) => side.closes.push(reason));
  });
  return side;
}

async function until(pair: TransportPair, condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await pair.flush();
  expect(condition(), what).toBe(true);
}

const latest = (side: Side): Channel => {
  const last = side.channels[side.channels.length - 1];
  if (!last) throw new Error('no channel');
  return last.channel;
};

export function runTransportConformance(name: string, setup: () => Promise<TransportPair>): void {
  describe(`transport conformance: ${name}`, () => {
    let pair: TransportPair | undefined;
    afterEach(async () => {
      await pair?.teardown();
      pair = undefined;
    });

    async function connected(): Promise<{ p: TransportPair; a: Side; b: Side }> {
      pair = await setup();
      const a = watch(pair.a);
      const b = watch(pair.b);
      const p = pair;
      await until(p, () => a.channels.length > 0 && b.channels.length > 0, 'both sides connected');
      return { p, a, b };
    }

    it('T1 both sides get a channel naming the other peer', async () => {
      const { p, a, b } = await connected();
      expect(a.channels.map((c) => c.peer)).toEqual([p.bId]);
      expect(b.channels.map((c) => c.peer)).toEqual([p.aId]);
    });

    it('T1 a frame sent from inside the connect listener is not lost (a hello goes out at once)', async () => {
      pair = await setup();
      const p = pair;
      const got: number[] = [];
      p.a.onPeerConnected((_peer, channel) => channel.send(new Uint8Array([1, 0xa])));
      p.b.onPeerConnected((_peer, channel) => {
        channel.onMessage((frame) => got.push(frame[1] as number));
        channel.send(new Uint8Array([1, 0xb]));
      });
      await until(p, () => got.length === 1, 'first frame from a');
      expect(got).toEqual([0xa]);
    });

    it('T2 frames arrive in the order sent, in both directions at once', async () => {
      const { p, a, b } = await connected();
      for (let i = 0; i < 200; i++) {
        latest(a).send(new Uint8Array([1, i & 0xff, i >> 8]));
        latest(b).send(new Uint8Array([2, i & 0xff, i >> 8]));
      }
      await until(p, () => a.received.length === 200 && b.received.length === 200, 'all frames');
      expect(b.received.map((f) => (f[1] as number) + ((f[2] as number) << 8))).toEqual(
        Array.from({ length: 200 }, (_, i) => i),
      );
      expect(a.received.every((f) => f[0] === 2)).toBe(true);
    });

    it('T3 bytes arrive intact, including a full 16 KiB frame, and later sender edits do not leak', async () => {
      const { p, a, b } = await connected();
      const every = Uint8Array.from({ length: 256 }, (_, i) => i);
      const full = Uint8Array.from({ length: MAX_FRAME_BYTES }, (_, i) => (i * 7919) % 256);
      latest(a).send(every);
      latest(a).send(full);
      every[0] = 99;
      full.fill(0);
      await until(p, () => b.received.length === 2, 'two frames');
      expect([...(b.received[0] as Uint8Array)]).toEqual(Array.from({ length: 256 }, (_, i) => i));
      expect(b.received[1]?.length).toBe(MAX_FRAME_BYTES);
      expect(b.received[1]?.every((v, i) => v === (i * 7919) % 256)).toBe(true);
    });

    it('T4 closing one end closes the other; sending on a closed channel is harmless', async () => {
      const { p, a, b } = await connected();
      latest(a).send(new Uint8Array([1, 2]));
      latest(a).close('done');
      await until(p, () => b.closes.length === 1, 'remote close');
      expect(a.closes).toHaveLength(1);
      expect(() => latest(a).send(new Uint8Array([3]))).not.toThrow();
      expect(() => latest(b).send(new Uint8Array([4]))).not.toThrow();
      await p.flush();
      expect(a.received).toHaveLength(0);
      const lateCloses: string[] = [];
      latest(b).onClose((reason) => lateCloses.push(reason));
      expect(lateCloses).toHaveLength(1);
    });

    it('T5 a lost connection closes both ends', async () => {
      const { p, a, b } = await connected();
      await p.cut();
      await until(p, () => a.closes.length === 1 && b.closes.length === 1, 'both closed');
    });

    it('T6 after a loss the peers reconnect on a new channel that works both ways', async () => {
      const { p, a, b } = await connected();
      await p.cut();
      await until(p, () => a.closes.length === 1 && b.closes.length === 1, 'both closed');
      await p.restore();
      await until(p, () => a.channels.length === 2 && b.channels.length === 2, 'reconnected');
      latest(a).send(new Uint8Array([7, 7]));
      latest(b).send(new Uint8Array([8, 8]));
      await until(p, () => a.received.length === 1 && b.received.length === 1, 'new frames');
      expect([...(b.received[0] as Uint8Array)]).toEqual([7, 7]);
      expect([...(a.received[0] as Uint8Array)]).toEqual([8, 8]);
    });

    it('T8 (CB1) both ends of a connection share a binding; a new connection has another', async () => {
      const { p, a, b } = await connected();
      const first = latest(a).binding;
      expect(first, 'a binding on the channel').toBeInstanceOf(Uint8Array);
      expect(first!.length).toBeGreaterThan(0);
      expect(first!.length).toBeLessThanOrEqual(1024);
      expect([...latest(b).binding!]).toEqual([...first!]);
      await p.cut();
      await until(p, () => a.closes.length === 1 && b.closes.length === 1, 'both closed');
      await p.restore();
      await until(p, () => a.channels.length === 2 && b.channels.length === 2, 'reconnected');
      expect([...latest(a).binding!]).toEqual([...latest(b).binding!]);
      expect([...latest(a).binding!]).not.toEqual([...first!]);
    });

    it('T7 a listener registered late is told about open channels', async () => {
      const { p } = await connected();
      const late: PeerId[] = [];
      p.a.onPeerConnected((peer) => late.push(peer));
      expect(late).toEqual([p.bId]);
    });
  });
}
