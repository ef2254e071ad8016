import { WebSocket } from 'ws';
import type { ClientOptions, RawData } from 'ws';
import type { Clock } from '../../src/lib/deps';
import type { LogFields, Logger, LogLevel } from '../logger';
import {
  createSignalingServer,
  type SignalingServer,
  type SignalingServerOptions,
} from '../server';

export interface LogRecord {
  readonly level: LogLevel;
  readonly event: string;
  readonly fields: LogFields;
}

/** Keeps tests quiet while letting them assert on what was logged. */
export function createMemoryLogger(): Logger & { readonly records: LogRecord[] } {
  const records: LogRecord[] = [];
  return {
    records,
    log(level, event, fields = {}) {
      records.push({ level, event, fields });
    },
  };
}

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function createManualClock(start = 1_700_000_000_000): ManualClock {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
}

export interface RunningServer {
  readonly server: SignalingServer;
  readonly url: string;
  readonly httpUrl: string;
  readonly logs: LogRecord[];
}

const running = new Set<SignalingServer>();
const openClients = new Set<WebSocket>();

export async function startServer(options: SignalingServerOptions = {}): Promise<RunningServer> {
  const logger = createMemoryLogger();
  const server = createSignalingServer({
    port: 0,
    host: '127.0.0.1',
    closeGraceMs: 200,
    logger,
    ...options,
  });
  running.add(server);
  const { host, port } = await server.listen();
  return {
    server,
    url: `ws://${host}:${port}`,
    httpUrl: `http://${host}:${port}`,
    logs: logger.records,
  };
}

/** For afterEach: no server or client outlives its test. */
export async function stopAll(): Promise<void> {
  for (const client of openClients) client.terminate();
  openClients.clear();
  await Promise.all([...running].map((server) => server.close()));
  running.clear();
}

/** A test client that records every JSON message it receives and how it was closed. */
export interface TestClient {
  readonly socket: WebSocket;
  readonly messages: Record<string, unknown>[];
  send(message: unknown): void;
  sendRaw(data: string | Buffer, binary?: boolean): void;
  /** Resolves with the first received message (past or future) matching the predicate. */
  next(predicate: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /**
   * Ping/pong round trip. Frames are handled in order per socket, so once the pong is here the
   * server has handled everything this client sent before, and every message the server queued
   * for this client before that pong has arrived too.
   */
  roundTrip(): Promise<void>;
  publishes(topic: string): Record<string, unknown>[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

export async function connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
  const socket = new WebSocket(url, options);
  openClients.add(socket);
  const messages: Record<string, unknown>[] = [];
  const waiters: {
    predicate: (message: Record<string, unknown>) => boolean;
    resolve: (message: Record<string, unknown>) => void;
  }[] = [];
  socket.on('message', (data: RawData) => {
    const message = JSON.parse(rawToString(data)) as Record<string, unknown>;
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      openClients.delete(socket);
      resolve({ code, reason: reason.toString('utf8') });
    });
  });
  // A client cut by the server may see ECONNRESET; the close event still follows.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused with HTTP ${response.statusCode}`)),
    );
    socket.once('error', reject);
  });

  const next = (predicate: (message: Record<string, unknown>) => boolean) => {
    const seen = messages.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve) => waiters.push({ predicate, resolve }));
  };
  const pongs = () => messages.filter((message) => message['type'] === 'pong').length;
  return {
    socket,
    messages,
    closed,
    next,
    send: (message) => socket.send(JSON.stringify(message)),
    sendRaw: (data, binary = false) => socket.send(data, { binary }),
    async roundTrip() {
      // Counting pongs tells this round trip's pong from an earlier one.
      const target = pongs() + 1;
      socket.send(JSON.stringify({ type: 'ping' }));
      await waitUntil(() => pongs() >= target);
    },
    publishes: (topic) =>
      messages.filter((message) => message['type'] === 'publish' && message['topic'] === topic),
  };
}

/** Resolves with the HTTP status with which the server refused a WebSocket upgrade. */
export function refusedUpgradeStatus(url: string, options: ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      socket.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    socket.on('error', () => undefined);
  });
}

/** Fails with a clear message instead of hanging until the test timeout. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
