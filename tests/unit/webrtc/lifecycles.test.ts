/**
 * Lifecycle rules of the WebRTC transport (docs/protocol.md §17), in Node: a fake signaling
 * socket the test feeds sealed announces into, and a fake RTCPeerConnection that counts how many
 * are alive and can refuse like Chromium does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncLogger } from '../../../src/sync/ports';
import { deriveNetworkKeys, type NetworkKeys } from '../../../src/sync/webrtc/network-keys';
import {
  createSignalingClient,
  type OnlineSource,
  type SignalingAnnounce,
} from '../../../src/sync/webrtc/signaling-client';
import type {
  WebRtcTransport,
  WebRtcTransportOptions,
} from '../../../src/sync/webrtc/transport-options';
import { createWebRtcTransport } from '../../../src/sync/webrtc/webrtc-transport';
import { manualTimers } from '../sync/harness';
import {
  FakeSocket,
  fakePeerConnections,
  refuseBadIceUrls,
  type FakePeerConnections,
} from './fakes';

const NETWORK = 'lifecycle network';
const SECRET = 'lifecycle network secret';
const OUR_PEER_ID = '0000000000000000'; // lower than every remote: we offer to all of them
const alwaysOnline: OnlineSource = { isOnline: () => true, onChange: () => () => undefined };
const remotePeer = (n: number) => `peer${String(n).padStart(4, '0')}`;
const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

let cachedKeys: NetworkKeys | undefined;
async function keys(): Promise<NetworkKeys> {
  if (cachedKeys) return cachedKeys;
  const derived = await deriveNetworkKeys(NETWORK, SECRET);
  if (!derived.ok) throw new Error('keys');
  cachedKeys = derived.value;
  return cachedKeys;
}

interface Rig {
  transport: WebRtcTransport;
  socket: () => FakeSocket;
  pcs: FakePeerConnections;
  time: ReturnType<typeof manualTimers>;
  events: { level: string; event: string; details: Readonly<Record<string, unknown>> }[];
  count: (event: string) => number;
  /** Delivers an announce from a remote peer through the signaling socket. */
  announce: (from: string, device?: string) => Promise<void>;
}

const running: WebRtcTransport[] = [];
afterEach(() => {
  for (const transport of running.splice(0)) transport.stop();
});

async function rig(
  pcs: FakePeerConnections,
  overrides: Partial<WebRtcTransportOptions> = {},
): Promise<Rig> {
  const time = manualTimers();
  const sockets: FakeSocket[] = [];
  const events: Rig['events'] = [];
  const logger: SyncLogger = {
    log: (level, event, details) => events.push({ level, event, details }),
  };
  const created = createWebRtcTransport({
    signalingUrls: ['ws://signaling.test'],
    networkName: NETWORK,
    networkSecret: SECRET,
    deviceId: 'our-device',
    peerId: OUR_PEER_ID,
    RTCPeerConnection: pcs.Class,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    online: alwaysOnline,
    timers: time,
    clock: { now: () => time.now() },
    random: () => 0.5,
    logger,
    ...overrides,
  });
  if (!created.ok) throw new Error(JSON.stringify(created.error));
  const transport = created.value;
  running.push(transport);
  await transport.start();
  await flush();
  const k = await keys();
  const socket = () => sockets[sockets.length - 1] as FakeSocket;
  return {
    transport,
    socket,
    pcs,
    time,
    events,
    count: (event) => events.filter((e) => e.event === event).length,
    announce: (from, device = `device-of-${from}`) =>
      socket().publish(k, { type: 'announce', from, device }),
  };
}

/** Waits until the signaling client has opened and handled what was delivered. */
async function settle(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await flush();
}

describe('L1 a throwing listener never stops signaling', () => {
  it('L1 a signaling listener that throws is logged, and every later message is still heard', async () => {
    const socket: { current?: FakeSocket } = {};
    const events: string[] = [];
    const client = createSignalingClient({
      urls: ['ws://signaling.test'],
      keys: await keys(),
      peerId: OUR_PEER_ID,
      deviceId: 'our-device',
      createSocket: (url) => (socket.current = new FakeSocket(url)),
      online: alwaysOnline,
      timers: manualTimers(),
      logger: { log: (_level, event) => events.push(event) },
    });
    const heardByFirst: string[] = [];
    const heardBySecond: string[] = [];
    client.onAnnounce((announce: SignalingAnnounce) => {
      heardByFirst.push(announce.from);
      if (announce.from === remotePeer(1)) throw new Error('RTCPeerConnection refused');
    });
    client.onAnnounce((announce) => heardBySecond.push(announce.from));
    client.start();
    await flush();
    const k = await keys();
    for (const n of [1, 2, 3]) {
      await socket.current?.publish(k, { type: 'announce', from: remotePeer(n), device: `d${n}` });
    }
    await settle(() => heardByFirst.length === 3);
    client.stop();
    expect(heardByFirst).toEqual([remotePeer(1), remotePeer(2), remotePeer(3)]);
    expect(heardBySecond).toEqual([remotePeer(1), remotePeer(2), remotePeer(3)]);
    expect(events).toContain('signaling_listener_failed');
  });

  it('L1 an ICE server URL the browser refuses fails each attempt, logged; the device keeps hearing announces', async () => {
    const pcs = fakePeerConnections(refuseBadIceUrls);
    const r = await rig(pcs, { iceServers: [{ urls: 'htps://typo.example' }] });
    for (const n of [1, 2, 3]) await r.announce(remotePeer(n));
    await settle(() => r.count('webrtc_peer_connection_refused') === 3);
    expect(r.count('webrtc_peer_connection_refused')).toBe(3);
    expect(r.transport.status().signaling).toBe('connected');
    expect(r.transport.peerConnectionCount()).toBe(0);
  });

  it('L1 after the browser refused one connection, the next peer that announces gets an offer', async () => {
    let refusals = 1;
    const pcs = fakePeerConnections(() =>
      refusals-- > 0
        ? new DOMException('Cannot create so many PeerConnections', 'UnknownError')
        : undefined,
    );
    const r = await rig(pcs);
    await r.announce(remotePeer(1));
    await r.announce(remotePeer(2));
    await settle(() => pcs.created() === 1);
    expect(r.count('webrtc_peer_connection_refused')).toBe(1);
    expect(pcs.created()).toBe(1);
    expect(r.transport.peerConnectionCount()).toBe(1);
  });
});

describe('L2 a flood of announces stays within the connection budget', () => {
  it('L2 500 announces never open more than 24 peer connections, half-open ones included; they time out and the line moves', async () => {
    // Like Chromium, the fake refuses past 500 live connections.
    const pcs = fakePeerConnections((_config, live) =>
      live >= 500
        ? new DOMException('Cannot create so many PeerConnections', 'UnknownError')
        : undefined,
    );
    const r = await rig(pcs, { connectTimeoutMs: 15_000 });
    for (let n = 1; n <= 500; n++) await r.announce(remotePeer(n));
    await settle(() => pcs.created() + r.count('webrtc_budget_wait') >= 500);
    expect(pcs.created()).toBe(24);
    expect(r.transport.peerConnectionCount()).toBe(24);
    expect(pcs.maxLive()).toBe(24);
    // Nobody answers: the half-open attempts time out and the next peers in line are dialled.
    r.time.advance(15_000);
    await settle(() => pcs.created() >= 48);
    expect(pcs.created()).toBe(48);
    expect(pcs.live()).toBe(24);
    for (let round = 0; round < 10; round++) {
      r.time.advance(15_000);
      await flush();
    }
    expect(pcs.maxLive()).toBe(24);
    expect(r.count('webrtc_peer_connection_refused')).toBe(0);
  });

  it('L2 the budget is configurable, and offers beyond it are not answered', async () => {
    const pcs = fakePeerConnections();
    const r = await rig(pcs, { maxPeerConnections: 2, peerId: 'zzzzzzzzzzzzzzzz' });
    const k = await keys();
    // We are the higher id here, so remote peers offer to us.
    for (let n = 1; n <= 5; n++) {
      await r.socket().publish(k, {
        type: 'signal',
        from: remotePeer(n),
        to: 'zzzzzzzzzzzzzzzz',
        signal: { kind: 'offer', cid: `${n}`.padStart(16, 'a'), sdp: 'v=0 offer', device: `d${n}` },
      });
    }
    await settle(() => r.count('webrtc_budget_full') === 3);
    expect(pcs.created()).toBe(2);
    expect(r.count('webrtc_budget_full')).toBe(3);
  });
});

describe('L8, L9 an idle device is frugal on the air', () => {
  /** Runs `ms` of simulated time in steps, answering each ping as the server would. */
  async function idleFor(r: Rig, ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 10_000) {
      r.time.advance(10_000);
      const socket = r.socket();
      const unanswered = socket.sent.filter((m) => m === '{"type":"ping"}').length;
      const answered = (socket as FakeSocket & { pongs?: number }).pongs ?? 0;
      for (let i = answered; i < unanswered; i++) {
        (socket.onmessage as ((event: { data: string }) => void) | null)?.({
          data: '{"type":"pong"}',
        });
      }
      (socket as FakeSocket & { pongs?: number }).pongs = unanswered;
      await flush();
    }
  }
  const publishes = (r: Rig) => r.socket().sent.filter((m) => m.includes('"publish"')).length;
  const pings = (r: Rig) => r.socket().sent.filter((m) => m === '{"type":"ping"}').length;

  it('L8, L9 alone for a day: pings every 120 s on one socket, re-announces backed off to hourly', async () => {
    const r = await rig(fakePeerConnections());
    await settle(() => publishes(r) === 1);
    await idleFor(r, 24 * 60 * 60_000);
    // One socket all day: the answered pings kept it alive.
    expect(r.count('signaling_connected')).toBe(1);
    // 86,400 s / 120 s = 720 pings (y-webrtc's 20 s would be 4,320).
    expect(pings(r)).toBeGreaterThanOrEqual(700);
    expect(pings(r)).toBeLessThanOrEqual(720);
    // 120 + 240 + … + 3,600 s: under 30 re-announces a day, not 720.
    expect(publishes(r) - 1).toBeGreaterThanOrEqual(20);
    expect(publishes(r) - 1).toBeLessThanOrEqual(30);
  });

  it('L9 reconnect() starts re-announcing at the base rate again', async () => {
    const r = await rig(fakePeerConnections());
    await settle(() => publishes(r) === 1);
    await idleFor(r, 6 * 60 * 60_000);
    r.transport.reconnect();
    await flush();
    const before = publishes(r);
    // Within the base interval (120 s ± 25 %) the next re-announce is out, not an hour later.
    await idleFor(r, 150_000);
    expect(publishes(r)).toBeGreaterThan(before);
  });

  it('L8 a server that stops answering is detected: the socket is dropped and dialled again', async () => {
    const r = await rig(fakePeerConnections());
    await settle(() => publishes(r) === 1);
    const first = r.socket();
    // No pong: silent for 150 s after the last message, the link is dropped and retried.
    for (let t = 0; t < 300_000; t += 10_000) {
      r.time.advance(10_000);
      await flush();
    }
    expect(r.socket()).not.toBe(first);
  });
});
