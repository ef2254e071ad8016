/**
 * The WebRTC transport in real headless Chromium: two (or three) transports in one page connect
 * over loopback through the in-process signaling server. Every test checks that a real
 * RTCPeerConnection carried the data.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Channel, PeerId, SyncLogger } from '../../src/sync/ports';
import { MAX_FRAME_BYTES } from '../../src/sync/limits';
import type { DataChannelPipe } from '../../src/sync/webrtc/data-channel';
import { deriveNetworkKeys, sealJson } from '../../src/sync/webrtc/network-keys';
import type {
  WebRtcTransport,
  WebRtcTransportOptions,
} from '../../src/sync/webrtc/transport-options';
import { createWebRtcTransport } from '../../src/sync/webrtc/webrtc-transport';
import { runTransportConformance, type TransportPair } from '../unit/sync/transport-conformance';
import { FAC_A, patient, sortedVisits, writeVisit } from '../unit/sync/harness';
import { createSyncEngine } from '../../src/sync/engine';
import { createMemoryHost } from '../../src/sync/memory-host';

const signalingUrl = inject('signalingUrl');
const SECRET = 'browser-test-network-secret';
let networkCounter = 0;
const freshNetwork = () => `browser-net-${Date.now()}-${networkCounter++}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Built {
  transport: WebRtcTransport;
  /** RTCPeerConnections this transport ever created. */
  created: () => number;
  logs: { level: string; event: string }[];
}

const live: WebRtcTransport[] = [];
afterEach(() => {
  for (const transport of live.splice(0)) transport.stop();
});

function build(
  overrides: Partial<WebRtcTransportOptions> & { networkName: string; deviceId: string },
): Built {
  let created = 0;
  const Counted = class extends RTCPeerConnection {
    constructor(config?: RTCConfiguration) {
      super(config);
      created += 1;
    }
  };
  const logs: { level: string; event: string }[] = [];
  const logger: SyncLogger = { log: (level, event) => logs.push({ level, event }) };
  const result = createWebRtcTransport({
    signalingUrls: [signalingUrl],
    networkSecret: SECRET,
    iceServers: [],
    RTCPeerConnection: Counted,
    logger,
    ...overrides,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  live.push(result.value);
  return { transport: result.value, created: () => created, logs };
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await sleep(20);
  expect(condition(), what).toBe(true);
}

function conformancePair(aId: string, bId: string): () => Promise<TransportPair> {
  return async () => {
    const networkName = freshNetwork();
    const a = build({ networkName, deviceId: 'device-a', peerId: aId }).transport;
    const b = build({ networkName, deviceId: 'device-b', peerId: bId }).transport;
    await Promise.all([a.start(), b.start()]);
    return {
      a,
      b,
      aId,
      bId,
      flush: () => sleep(25),
      cut: () => {
        b.stop();
        return Promise.resolve();
      },
      restore: () => b.start(),
      teardown: () => {
        a.stop();
        b.stop();
        return Promise.resolve();
      },
    };
  };
}

// Run twice so each side has been the one that offers (the lower peer id offers).
runTransportConformance('WebRTC (a offers)', conformancePair('aaaa0001', 'bbbb0002'));
runTransportConformance('WebRTC (b offers)', conformancePair('cccc0003', 'bbbb0002'));

interface Connected {
  a: Built;
  b: Built;
  aChannel: Channel;
  bChannel: Channel;
  aGot: Uint8Array[];
  bGot: Uint8Array[];
}

async function connectedPair(options: Partial<WebRtcTransportOptions> = {}): Promise<Connected> {
  const networkName = freshNetwork();
  const a = build({ networkName, deviceId: 'device-a', ...options });
  const b = build({ networkName, deviceId: 'device-b', ...options });
  const channels: { a?: Channel; b?: Channel } = {};
  const aGot: Uint8Array[] = [];
  const bGot: Uint8Array[] = [];
  a.transport.onPeerConnected((_peer, channel) => {
    channels.a = channel;
    channel.onMessage((frame) => aGot.push(frame.slice()));
  });
  b.transport.onPeerConnected((_peer, channel) => {
    channels.b = channel;
    channel.onMessage((frame) => bGot.push(frame.slice()));
  });
  await Promise.all([a.transport.start(), b.transport.start()]);
  await until(() => channels.a !== undefined && channels.b !== undefined, 'connected');
  return { a, b, aChannel: channels.a as Channel, bChannel: channels.b as Channel, aGot, bGot };
}

describe('WebRTC transport between two devices', () => {
  it('W1 frames of 500 documents share one peer connection per device pair', async () => {
    const { a, b, aChannel, bChannel, aGot, bGot } = await connectedPair();
    for (let doc = 0; doc < 500; doc++) {
      // A frame names its document; here: two bytes of document number, then a body.
      for (let update = 0; update < 4; update++) {
        aChannel.send(
          Uint8Array.of(doc >> 8, doc & 0xff, update, ...new Uint8Array(200).fill(doc & 0xff)),
        );
        bChannel.send(Uint8Array.of(doc >> 8, doc & 0xff, update));
      }
    }
    await until(() => bGot.length === 2000 && aGot.length === 2000, 'all frames');
    const docsAtB = new Set(bGot.map((f) => ((f[0] as number) << 8) | (f[1] as number)));
    expect(docsAtB.size).toBe(500);
    expect(a.transport.peerConnectionCount()).toBe(1);
    expect(b.transport.peerConnectionCount()).toBe(1);
    expect(a.created()).toBe(1);
    expect(b.created()).toBe(1);
    const status = a.transport.status();
    expect(status.signaling).toBe('connected');
    expect(status.peers).toEqual([
      expect.objectContaining({
        peerId: b.transport.peerId,
        deviceId: 'device-b',
        state: 'connected',
      }),
    ]);
  });

  it('W2 a 1 MiB burst of 16 KiB frames arrives complete and in order, queued behind a full buffer', async () => {
    const { aChannel, bGot } = await connectedPair({
      bufferLimits: {
        highWaterBytes: 64 * 1024,
        lowWaterBytes: 16 * 1024,
        maxQueuedBytes: 8 * 1024 * 1024,
      },
    });
    const frames = 64;
    let queuedAtPeak = 0;
    for (let i = 0; i < frames; i++) {
      const frame = new Uint8Array(MAX_FRAME_BYTES).fill(i);
      frame[0] = i;
      aChannel.send(frame);
      queuedAtPeak = Math.max(queuedAtPeak, (aChannel as DataChannelPipe).queuedFrameCount);
    }
    // The burst overran the high-water mark: frames waited here instead of being dropped.
    expect(queuedAtPeak).toBeGreaterThan(0);
    await until(() => bGot.length === frames, '1 MiB received');
    expect(bGot.map((f) => f[0])).toEqual(Array.from({ length: frames }, (_, i) => i));
    expect(bGot.every((f, i) => f.length === MAX_FRAME_BYTES && f.every((v) => v === i))).toBe(
      true,
    );
    expect((aChannel as DataChannelPipe).queuedFrameCount).toBe(0);
  });

  it('T10 16 MiB sent with await writable() arrive intact, the buffer staying under the high-water mark plus a frame', async () => {
    const { aChannel, bGot } = await connectedPair();
    const pipe = aChannel as DataChannelPipe;
    const frames = 1024; // 16 MiB of 16 KiB frames
    let peakPending = 0;
    let peakQueued = 0;
    for (let i = 0; i < frames; i++) {
      await aChannel.writable();
      const frame = new Uint8Array(MAX_FRAME_BYTES).fill(i & 0xff);
      frame[0] = i >> 8;
      frame[1] = i & 0xff;
      aChannel.send(frame);
      peakPending = Math.max(peakPending, pipe.pendingBytes);
      peakQueued = Math.max(peakQueued, pipe.queuedFrameCount);
    }
    await until(() => bGot.length === frames, '16 MiB received', 60_000);
    expect(pipe.closed).toBe(false);
    // Nothing ever waited in the JS queue: the sender paused instead.
    expect(peakQueued).toBe(0);
    expect(peakPending).toBeLessThanOrEqual(1024 * 1024 + MAX_FRAME_BYTES);
    const badFrames = bGot.filter(
      (f, i) =>
        f.length !== MAX_FRAME_BYTES ||
        (((f[0] as number) << 8) | (f[1] as number)) !== i ||
        f[2] !== (i & 0xff) ||
        f[MAX_FRAME_BYTES - 1] !== (i & 0xff),
    );
    expect(badFrames.length).toBe(0);
  });

  it('W3 a frame above 16 KiB is refused loudly and the channel keeps working', async () => {
    const { a, aChannel, bGot } = await connectedPair();
    expect(() => aChannel.send(new Uint8Array(MAX_FRAME_BYTES + 1))).toThrow(RangeError);
    expect(a.logs).toContainEqual({ level: 'warn', event: 'webrtc_frame_too_large' });
    aChannel.send(Uint8Array.of(1, 2, 3));
    await until(() => bGot.length === 1, 'next frame');
    expect([...(bGot[0] as Uint8Array)]).toEqual([1, 2, 3]);
  });

  it('W4 a device with the wrong secret never connects, while the right ones do', async () => {
    const networkName = freshNetwork();
    const a = build({ networkName, deviceId: 'device-a' });
    const b = build({ networkName, deviceId: 'device-b' });
    const w = build({ networkName, deviceId: 'device-w', networkSecret: 'not the network secret' });
    const peersOf = (built: Built) => {
      const peers: PeerId[] = [];
      built.transport.onPeerConnected((peer) => peers.push(peer));
      return peers;
    };
    const [aPeers, bPeers, wPeers] = [peersOf(a), peersOf(b), peersOf(w)];
    await Promise.all([w.transport.start(), a.transport.start(), b.transport.start()]);
    await until(() => aPeers.length === 1 && bPeers.length === 1, 'a and b connected');
    await sleep(1_500);
    expect(wPeers).toEqual([]);
    expect(w.created()).toBe(0);
    expect(w.transport.status().peers).toEqual([]);
    expect(a.transport.status().peers.map((p) => p.deviceId)).toEqual(['device-b']);
    expect(a.created() + b.created()).toBe(2);
  });

  it('W5 a peer that keeps sending bad signals is ignored; nothing is thrown', async () => {
    const networkName = freshNetwork();
    const a = build({ networkName, deviceId: 'device-a', peerId: 'pppp0001', badSignalLimit: 5 });
    await a.transport.start();
    await until(() => a.transport.status().signaling === 'connected', 'a on signaling');
    const keys = await deriveNetworkKeys(networkName, SECRET);
    if (!keys.ok) throw new Error('keys');
    const socket = new WebSocket(signalingUrl);
    await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
    const publish = async (inner: Record<string, unknown>) => {
      const mid = Array.from(crypto.getRandomValues(new Uint8Array(16)), (x) =>
        x.toString(16).padStart(2, '0'),
      ).join('');
      const data = await sealJson(keys.value, {
        mid,
        from: 'zzzz0009',
        to: 'pppp0001',
        type: 'signal',
        ...inner,
      });
      socket.send(JSON.stringify({ type: 'publish', topic: keys.value.topic, data }));
    };
    // zzzz0009 > pppp0001, so zzzz must not offer. An answer and a candidate for an attempt
    // that never existed, garbage, and an unknown kind: each is dropped and counted.
    await publish({ signal: { kind: 'offer', cid: '0123456789abcdef', sdp: 'v=0', device: 'd' } });
    await publish({ signal: { kind: 'answer', cid: '0123456789abcdef', sdp: 'v=0' } });
    await publish({
      signal: { kind: 'candidate', cid: '0123456789abcdef', candidate: { candidate: 'x' } },
    });
    await publish({ signal: 'garbage' });
    await publish({ signal: { kind: 'bye' } });
    await until(() => a.logs.some((l) => l.event === 'webrtc_peer_ignored'), 'peer ignored');
    expect(a.logs.filter((l) => l.event === 'webrtc_bad_signal')).toHaveLength(5);
    await publish({ signal: 'more garbage' });
    await sleep(200);
    expect(a.logs.filter((l) => l.event === 'webrtc_bad_signal')).toHaveLength(5);
    expect(a.created()).toBe(0);
    expect(a.transport.status().peers).toEqual([]);
    socket.close();
  });
});

describe('WebRTC transport when a device comes back under a new peer id', () => {
  it('W6 the newer connection to the same device replaces the older one', async () => {
    const networkName = freshNetwork();
    // a has the lowest id, so it offers to both sessions of device-b.
    const a = build({ networkName, deviceId: 'device-a', peerId: 'aaaa0001' });
    const oldB = build({ networkName, deviceId: 'device-b', peerId: 'ffff0001' });
    const closes: string[] = [];
    const connectedTo: PeerId[] = [];
    a.transport.onPeerConnected((peer, channel) => {
      connectedTo.push(peer);
      channel.onClose((reason) => closes.push(`${peer}:${reason}`));
    });
    await Promise.all([a.transport.start(), oldB.transport.start()]);
    await until(() => connectedTo.length === 1, 'first session connected');
    // The device reloads: a new session appears before the old connection is noticed dead.
    const newB = build({ networkName, deviceId: 'device-b', peerId: 'eeee0002' });
    await newB.transport.start();
    await until(() => connectedTo.length === 2 && closes.length === 1, 'replaced');
    expect(connectedTo).toEqual(['ffff0001', 'eeee0002']);
    expect(closes).toEqual(['ffff0001:replaced']);
    expect(a.transport.peerConnectionCount()).toBe(1);
    expect(a.transport.status().peers.map((p) => [p.peerId, p.deviceId, p.state])).toEqual([
      ['eeee0002', 'device-b', 'connected'],
    ]);
  });
});

describe('WebRTC transport that retires connections only on proof (A23)', () => {
  it('W9 A23 a connection merely claiming a device id replaces nothing; once authenticated, it replaces the older one', async () => {
    const networkName = freshNetwork();
    const a = build({
      networkName,
      deviceId: 'device-a',
      peerId: 'aaaa0001',
      replaceOnlyWhenAuthenticated: true,
    });
    const oldB = build({ networkName, deviceId: 'device-b', peerId: 'ffff0001' });
    const closes: string[] = [];
    const channels = new Map<PeerId, Channel>();
    a.transport.onPeerConnected((peer, channel) => {
      channels.set(peer, channel);
      channel.onClose((reason) => closes.push(`${peer}:${reason}`));
    });
    await Promise.all([a.transport.start(), oldB.transport.start()]);
    await until(() => channels.size === 1, 'first session connected');
    // Another session announces the same device id (an impostor, or the device reloaded).
    const claimant = build({ networkName, deviceId: 'device-b', peerId: 'eeee0002' });
    await claimant.transport.start();
    await until(() => channels.size === 2, 'the claimant connected');
    await sleep(300);
    expect(closes).toEqual([]);
    expect(a.transport.peerConnectionCount()).toBe(2);
    // The engine authenticated the claimant as device-b: now the older connection goes.
    channels.get('eeee0002' as PeerId)?.authenticated?.('device-b');
    await until(() => closes.length === 1, 'replaced');
    expect(closes).toEqual(['ffff0001:replaced']);
    expect(a.transport.peerConnectionCount()).toBe(1);
  });
});

describe('WebRTC transport with an ICE server URL Chromium refuses (lifecycles)', () => {
  it('L1 every attempt fails, logged, and the device keeps hearing announces; the others connect', async () => {
    const networkName = freshNetwork();
    // The lowest peer id offers: the misconfigured device is the one that dials.
    const bad = build({
      networkName,
      deviceId: 'device-bad',
      peerId: '000000000001',
      iceServers: [{ urls: 'htps://typo.example:3478' }],
    });
    const b = build({ networkName, deviceId: 'device-b', peerId: 'bbbbbbbbbbbb' });
    const c = build({ networkName, deviceId: 'device-c', peerId: 'cccccccccccc' });
    await bad.transport.start();
    await b.transport.start();
    await c.transport.start();
    const refused = () =>
      bad.logs.filter((l) => l.event === 'webrtc_peer_connection_refused').length;
    await until(() => refused() >= 2, 'both announces heard and refused');
    await until(() => b.transport.peerConnectionCount() === 1, 'b and c connect');
    expect(bad.created()).toBe(0);
    expect(bad.transport.status().signaling).toBe('connected');
  });
});

describe('WebRTC transport when the other side never answers', () => {
  it('W7 an attempt that does not open times out, is retried with backoff, then the peer is forgotten', async () => {
    const networkName = freshNetwork();
    const a = build({
      networkName,
      deviceId: 'device-a',
      peerId: 'aaaa0001',
      connectTimeoutMs: 300,
      retryInitialMs: 100,
      retryMaxMs: 200,
      maxRetries: 3,
    });
    await a.transport.start();
    await until(() => a.transport.status().signaling === 'connected', 'a on signaling');
    // A peer that announces itself once and then goes silent (its tab was closed).
    const keys = await deriveNetworkKeys(networkName, SECRET);
    if (!keys.ok) throw new Error('keys');
    const socket = new WebSocket(signalingUrl);
    await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
    const mid = 'ab'.repeat(16);
    const data = await sealJson(keys.value, {
      type: 'announce',
      mid,
      from: 'zzzz0009',
      device: 'ghost',
    });
    socket.send(JSON.stringify({ type: 'publish', topic: keys.value.topic, data }));
    await until(() => a.created() === 1, 'first offer');
    expect(a.transport.status().peers).toEqual([
      expect.objectContaining({ peerId: 'zzzz0009', deviceId: 'ghost', state: 'connecting' }),
    ]);
    await until(() => a.logs.some((l) => l.event === 'webrtc_peer_forgotten'), 'given up', 10_000);
    expect(a.logs.filter((l) => l.event === 'webrtc_connect_timeout')).toHaveLength(4);
    expect(a.created()).toBe(4);
    expect(a.transport.peerConnectionCount()).toBe(0);
    expect(a.transport.status().peers).toEqual([]);
    socket.close();
  });
});

describe('the replication engine over the WebRTC transport', () => {
  it('W8 two devices keep 500 patient records in sync over exactly one peer connection', async () => {
    const networkName = freshNetwork();
    const devices = (['device-a', 'device-b'] as const).map((deviceId) => {
      const host = createMemoryHost();
      const built = build({ networkName, deviceId });
      const engine = createSyncEngine({
        host,
        deviceId,
        facility: FAC_A,
        transports: [built.transport],
      });
      return { host, built, engine };
    });
    const [one, two] = devices as [(typeof devices)[0], (typeof devices)[0]];
    for (let serial = 1; serial <= 500; serial++)
      writeVisit(one.host, patient(FAC_A, serial), `visit ${serial}`);
    await Promise.all(devices.map((d) => d.built.transport.start()));
    const all = () => Array.from({ length: 500 }, (_, i) => patient(FAC_A, i + 1));
    await until(() => all().every((id) => two.host.has(id)), 'all records at b', 20_000);
    writeVisit(two.host, patient(FAC_A, 7), 'recorded on b');
    await until(() => sortedVisits(one.host, patient(FAC_A, 7)).length === 2, 'edit back at a');
    expect(sortedVisits(one.host, patient(FAC_A, 7))).toEqual(['recorded on b', 'visit 7']);
    for (const d of devices) {
      expect(d.built.created()).toBe(1);
      expect(d.built.transport.peerConnectionCount()).toBe(1);
      d.engine.stop();
    }
  });
});
