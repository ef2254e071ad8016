/**
 * The signaling client against the project's signaling server, in process, over real sockets
 * (Node's `ws` WebSocket injected in place of the browser's).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { createSignalingServer, type SignalingServer } from '../../../signaling/server';
import type { SyncLogger, Timers } from '../../../src/sync/ports';
import {
  deriveNetworkKeys,
  sealJson,
  type NetworkKeys,
} from '../../../src/sync/webrtc/network-keys';
import {
  createSignalingClient,
  type OnlineSource,
  type SignalingAnnounce,
  type SignalingClient,
  type SignalingClientOptions,
  type SignalingMessage,
} from '../../../src/sync/webrtc/signaling-client';

const quietServerLogger = { log: () => undefined };
const servers: SignalingServer[] = [];
const clients: SignalingClient[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.stop();
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(
  port = 0,
): Promise<{ url: string; port: number; server: SignalingServer }> {
  const server = createSignalingServer({
    port,
    host: '127.0.0.1',
    closeGraceMs: 100,
    logger: quietServerLogger,
  });
  servers.push(server);
  const address = await server.listen();
  return { url: `ws://${address.host}:${address.port}`, port: address.port, server };
}

async function keys(
  secret = 'shared secret of network one',
  name = 'network one',
): Promise<NetworkKeys> {
  const derived = await deriveNetworkKeys(name, secret);
  if (!derived.ok) throw new Error('keys');
  return derived.value;
}

interface Probe {
  client: SignalingClient;
  announces: SignalingAnnounce[];
  signals: SignalingMessage[];
  warnings: string[];
}

function probe(
  url: string,
  networkKeys: NetworkKeys,
  peerId: string,
  extra: Partial<SignalingClientOptions> = {},
): Probe {
  const warnings: string[] = [];
  const logger: SyncLogger = {
    log: (level, event, details) => {
      if (level === 'warn')
        warnings.push(`${event}:${typeof details.reason === 'string' ? details.reason : ''}`);
    },
  };
  const client = createSignalingClient({
    urls: [url],
    keys: networkKeys,
    peerId,
    deviceId: `device-of-${peerId}`,
    createSocket: (target) => new WebSocket(target),
    logger,
    ...extra,
  });
  clients.push(client);
  const result: Probe = { client, announces: [], signals: [], warnings };
  client.onAnnounce((announce) => result.announces.push(announce));
  client.onSignal((message) => result.signals.push(message));
  return result;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await sleep(10);
  expect(condition(), what).toBe(true);
}

/** A raw socket on the server, to publish what a hostile or foreign client would. */
async function rogue(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  sockets.push(socket);
  await new Promise((resolve) => socket.once('open', resolve));
  return socket;
}

describe('signaling client', () => {
  it('signaling-client 1: subscribes under the derived topic and peers of one network hear each other announce', async () => {
    const { url } = await startServer();
    const k = await keys();
    const a = probe(url, k, 'peer-a');
    const b = probe(url, k, 'peer-b');
    a.client.start();
    await until(() => a.client.state() === 'connected', 'a connected');
    b.client.start();
    await until(() => a.announces.length > 0, 'a hears b');
    expect(a.announces[0]).toEqual({ from: 'peer-b', device: 'device-of-peer-b', directed: false });
    // Our own announce comes back from the server (fan-out includes the sender) and is dropped.
    expect(b.announces.some((x) => x.from === 'peer-b')).toBe(false);
    b.client.announce('peer-a');
    await until(() => a.announces.length > 1, 'directed announce');
    expect(a.announces[1]).toEqual({ from: 'peer-b', device: 'device-of-peer-b', directed: true });
    expect(a.warnings).toEqual([]);
  });

  it('signaling-client 2: a signal reaches only the peer it is addressed to, in order', async () => {
    const { url } = await startServer();
    const k = await keys();
    const [a, b, c] = ['peer-a', 'peer-b', 'peer-c'].map((id) => probe(url, k, id)) as [
      Probe,
      Probe,
      Probe,
    ];
    for (const p of [a, b, c]) p.client.start();
    await until(() => [a, b, c].every((p) => p.client.state() === 'connected'), 'all connected');
    for (let i = 0; i < 20; i++) a.client.signal('peer-b', { n: i });
    a.client.signal('peer-c', { n: 'for c' });
    await until(() => b.signals.length === 20 && c.signals.length === 1, 'signals delivered');
    expect(b.signals.map((s) => (s.signal as { n: number }).n)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(b.signals.every((s) => s.from === 'peer-a')).toBe(true);
    expect(c.signals).toEqual([{ from: 'peer-a', signal: { n: 'for c' } }]);
    expect(b.client.dropped()['not-for-us']).toBeGreaterThanOrEqual(1);
  });

  it('signaling-client 3: a signal forged with our own id as sender, or with a bad shape, is dropped and logged', async () => {
    const { url } = await startServer();
    const k = await keys();
    const b = probe(url, k, 'peer-b');
    b.client.start();
    await until(() => b.client.state() === 'connected', 'b connected');
    const evil = await rogue(url);
    const publish = async (inner: unknown) =>
      evil.send(
        JSON.stringify({ type: 'publish', topic: k.topic, data: await sealJson(k, inner) }),
      );
    const mid = () => Math.random().toString(16).slice(2).padEnd(16, '0');
    await publish({ type: 'signal', mid: mid(), from: 'peer-b', to: 'peer-b', signal: {} });
    await publish({ type: 'signal', mid: mid(), from: 'not a peer id!', to: 'peer-b', signal: {} });
    await publish({ type: 'announce', mid: mid(), from: 'peer-x' });
    await publish({ type: 'signal', mid: mid(), from: 'peer-x', to: 'peer-b', signal: { ok: 1 } });
    await until(() => b.signals.length === 1, 'the one good signal');
    expect(b.signals).toEqual([{ from: 'peer-x', signal: { ok: 1 } }]);
    expect(b.announces).toEqual([]);
    expect(b.client.dropped()['forged-self']).toBe(1);
    expect(b.client.dropped().malformed).toBe(2);
    expect(b.warnings).toEqual(
      expect.arrayContaining(['signaling_drop:forged-self', 'signaling_drop:malformed']),
    );
  });

  it('signaling-client 4: a device with the wrong secret neither hears the network nor can speak to it', async () => {
    const { url } = await startServer();
    const right = await keys();
    const wrong = await keys('a different secret');
    const a = probe(url, right, 'peer-a');
    const w = probe(url, wrong, 'peer-w');
    a.client.start();
    w.client.start();
    await until(
      () => a.client.state() === 'connected' && w.client.state() === 'connected',
      'connected',
    );
    expect(wrong.topic).not.toBe(right.topic);
    // Even a payload pushed into the right topic does not open without the right key.
    const evil = await rogue(url);
    const data = await sealJson(wrong, {
      type: 'announce',
      mid: 'ab'.repeat(8),
      from: 'peer-w',
      device: 'w',
    });
    evil.send(JSON.stringify({ type: 'publish', topic: right.topic, data }));
    evil.send(JSON.stringify({ type: 'publish', topic: right.topic, data: 'garbage' }));
    await until(
      () => a.client.dropped().undecryptable === 1 && a.client.dropped().malformed === 1,
      'dropped',
    );
    a.client.announce();
    await sleep(100);
    expect(a.announces).toEqual([]);
    expect(w.announces).toEqual([]);
    expect(a.warnings).toContain('signaling_drop:undecryptable');
  });

  it('signaling-client 5: backs off exponentially with jitter while the server is down, and reconnects on demand', async () => {
    const { port, server } = await startServer();
    await server.close();
    servers.length = 0;
    const delays: number[] = [];
    const timers: Timers = {
      setTimeout: (callback, ms) => {
        if (ms < 10_000) delays.push(ms);
        return setTimeout(callback, ms);
      },
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const k = await keys();
    const a = probe(`ws://127.0.0.1:${port}`, k, 'peer-a', {
      timers,
      random: () => 0.5,
      backoffInitialMs: 100,
      backoffMaxMs: 800,
    });
    a.client.start();
    await until(() => delays.length >= 5, 'five retries', 10_000);
    // Ceiling doubles up to the cap; the delay lies in [ceiling/2, ceiling] (here 3/4 of it).
    expect(delays.slice(0, 5)).toEqual([75, 150, 300, 600, 600]);
    expect(a.client.state()).toMatch(/backing-off|connecting/);

    const back = await startServer(port);
    const other = probe(back.url, k, 'peer-b');
    other.client.start();
    a.client.reconnect();
    await until(() => a.client.state() === 'connected', 'reconnected at once', 2_000);
    await until(
      () => a.announces.length > 0 || other.announces.length > 0,
      'announces after reconnect',
    );
  });

  it('signaling-client 6: does not try while the device is offline, and connects when it comes online', async () => {
    const { url } = await startServer();
    let isOnline = false;
    const listeners = new Set<(online: boolean) => void>();
    const online: OnlineSource = {
      isOnline: () => isOnline,
      onChange: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    let sockets = 0;
    const a = probe(url, await keys(), 'peer-a', {
      online,
      createSocket: (target) => {
        sockets += 1;
        return new WebSocket(target);
      },
    });
    a.client.start();
    await sleep(200);
    expect(a.client.state()).toBe('offline');
    expect(sockets).toBe(0);
    isOnline = true;
    for (const listener of listeners) listener(true);
    await until(() => a.client.state() === 'connected', 'online again');
    expect(sockets).toBe(1);
  });

  it('signaling-client 7: pings keep a quiet socket alive; a server that never answers is dropped and retried', async () => {
    const { url } = await startServer();
    const a = probe(url, await keys(), 'peer-a', { pingIntervalMs: 50, silenceTimeoutMs: 200 });
    let opened = 0;
    a.client.onState((state) => {
      if (state === 'connected') opened += 1;
    });
    a.client.start();
    await sleep(800);
    expect(opened).toBe(1);
    expect(a.client.state()).toBe('connected');

    const mute = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => mute.once('listening', resolve));
    const mutePort = (mute.address() as { port: number }).port;
    let connections = 0;
    mute.on('connection', () => (connections += 1));
    const b = probe(`ws://127.0.0.1:${mutePort}`, await keys(), 'peer-b', {
      pingIntervalMs: 50,
      silenceTimeoutMs: 200,
      backoffInitialMs: 50,
      backoffMaxMs: 100,
    });
    b.client.start();
    await until(() => connections >= 2, 'dropped for silence and retried', 3_000);
    b.client.stop();
    for (const client of mute.clients) client.terminate();
    await new Promise((resolve) => mute.close(resolve));
  });

  it('signaling-client 8: stopping while a socket is still connecting raises nothing uncaught', async () => {
    // A TCP server that accepts and never answers the upgrade keeps the socket connecting.
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const before = held.length;
        const a = probe(`ws://127.0.0.1:${port}`, await keys(), `peer-${attempt}`);
        a.client.start();
        await until(() => held.length > before, 'the socket reached the server', 3_000);
        a.client.stop();
        await sleep(50);
      }
      expect(uncaught.map(String)).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
