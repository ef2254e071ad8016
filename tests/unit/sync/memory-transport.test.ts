import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/sync/ports';
import { createMemoryNetwork, type LinkShaping } from '../../../src/sync/transports/memory';
import { runTransportConformance } from './transport-conformance';

runTransportConformance('memory', () => {
  const net = createMemoryNetwork({ seed: 5 });
  const a = net.node('a');
  const b = net.node('b');
  net.link('a', 'b');
  return Promise.resolve({
    a,
    b,
    aId: 'a',
    bId: 'b',
    flush: () => net.flush(),
    cut: () => {
      net.partition([['a'], ['b']]);
      return Promise.resolve();
    },
    restore: () => {
      net.heal();
      return Promise.resolve();
    },
    teardown: () => Promise.resolve(),
  });
});

const slowLink: LinkShaping = {
  bandwidthBps: 64_000,
  latencyMs: 100,
  lossRate: 0.02,
  retransmitMs: 1_000,
  lowWaterBytes: 32 * 1024,
};

runTransportConformance('memory (shaped, simulated time)', () => {
  const net = createMemoryNetwork({ seed: 8, shaping: slowLink });
  const a = net.node('a');
  const b = net.node('b');
  net.link('a', 'b');
  return Promise.resolve({
    a,
    b,
    aId: 'a',
    bId: 'b',
    flush: () => net.flush(100_000),
    cut: () => {
      net.partition([['a'], ['b']]);
      return Promise.resolve();
    },
    restore: () => {
      net.heal();
      return Promise.resolve();
    },
    teardown: () => Promise.resolve(),
  });
});

runTransportConformance('memory (delivery on microtasks)', () => {
  const net = createMemoryNetwork({ seed: 6, delivery: 'microtask' });
  const a = net.node('a');
  const b = net.node('b');
  net.link('a', 'b');
  return Promise.resolve({
    a,
    b,
    aId: 'a',
    bId: 'b',
    flush: () => new Promise<void>((resolve) => setTimeout(resolve, 0)),
    cut: () => {
      net.setOnline('b', false);
      return Promise.resolve();
    },
    restore: () => {
      net.setOnline('b', true);
      return Promise.resolve();
    },
    teardown: () => Promise.resolve(),
  });
});

describe('memory network scheduler', () => {
  async function trace(seed: number): Promise<string[]> {
    const net = createMemoryNetwork({ seed, faults: { duplicate: 0.2, reorder: 0.2 } });
    const log: string[] = [];
    for (const id of ['a', 'b', 'c']) {
      net.node(id).onPeerConnected((peer, channel) => {
        channel.onMessage((f) => log.push(`${peer}>${id}:${f[0]}`));
      });
    }
    net.link('a', 'b');
    net.link('b', 'c');
    // Re-subscribing replays open channels; senders use the replay.
    net
      .node('a')
      .onPeerConnected((_p, ch) => [1, 2, 3, 4].forEach((i) => ch.send(new Uint8Array([i]))));
    net
      .node('c')
      .onPeerConnected((_p, ch) => [5, 6, 7].forEach((i) => ch.send(new Uint8Array([i]))));
    await net.flush();
    return log;
  }

  it('T8 the same seed gives the same schedule; faults duplicate and reorder frames', async () => {
    const first = await trace(99);
    expect(await trace(99)).toEqual(first);
    expect(first.length).toBeGreaterThan(7);
    const other = await Promise.all([1, 2, 3, 4, 5].map((s) => trace(s)));
    expect(other.some((t) => t.join() !== first.join())).toBe(true);
  });

  it('T9 loss kills the link; reconnect brings it back; partitions block and heal restores', async () => {
    const net = createMemoryNetwork({ seed: 3, faults: { loss: 1 } });
    const closes: string[] = [];
    net.node('a').onPeerConnected((_p, ch) => ch.onClose((r) => closes.push(r)));
    net.link('a', 'b');
    net.node('a').onPeerConnected((_p, ch) => ch.send(new Uint8Array([1])));
    await net.flush();
    expect(closes).toEqual(['link-lost']);
    expect(net.isConnected('a', 'b')).toBe(false);
    net.setFaults({ loss: 0 });
    net.reconnect();
    expect(net.isConnected('a', 'b')).toBe(true);
    net.partition([['a'], ['b']]);
    expect(net.isConnected('a', 'b')).toBe(false);
    net.reconnect();
    expect(net.isConnected('a', 'b')).toBe(false);
    net.heal();
    expect(net.isConnected('a', 'b')).toBe(true);
  });

  it('T10 a shaped link takes simulated time by bandwidth, delays lost frames in order, and reports its queue', async () => {
    const net = createMemoryNetwork({ seed: 4, shaping: { ...slowLink, lossRate: 0.2 } });
    const channels: Record<string, Channel> = {};
    const received: number[] = [];
    net.node('a').onPeerConnected((_p, ch) => (channels.a = ch));
    net.node('b').onPeerConnected((_p, ch) => {
      channels.b = ch;
      ch.onMessage((frame) => received.push(frame[0] as number));
    });
    net.link('a', 'b');
    const a = channels.a as Channel;
    // 80 frames of 8 KiB = 640 KiB: about 82 s at 64 kbit/s, plus retransmissions.
    let waited = 0;
    for (let i = 0; i < 80; i++) {
      let ready = false;
      void a.writable().then(() => (ready = true));
      await Promise.resolve();
      if (!ready) {
        waited++;
        while (!ready) {
          net.step();
          await Promise.resolve();
        }
      }
      a.send(new Uint8Array(8 * 1024).fill(i));
    }
    await net.flush(100_000);
    expect(received).toEqual(Array.from({ length: 80 }, (_, i) => i));
    expect(waited).toBeGreaterThan(0);
    expect(net.peakBufferedBytes).toBeLessThanOrEqual(slowLink.lowWaterBytes + 8 * 1024);
    expect(net.now()).toBeGreaterThan(82_000);
    expect(net.now()).toBeLessThan(82_000 + 80 * 2_000);
  });

  it('T10 a send queue above its limit closes the channel, as Chromium does', async () => {
    const net = createMemoryNetwork({
      seed: 4,
      shaping: { ...slowLink, maxBufferedBytes: 64 * 1024 },
    });
    const closes: string[] = [];
    let a: Channel | undefined;
    net.node('a').onPeerConnected((_p, ch) => {
      a = ch;
      ch.onClose((reason) => closes.push(reason));
    });
    net.link('a', 'b');
    for (let i = 0; i < 10; i++) a?.send(new Uint8Array(8 * 1024));
    await net.flush(100_000);
    expect(closes).toEqual(['send-queue-full']);
  });
});
