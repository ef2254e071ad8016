/**
 * A client for y-webrtc's signaling protocol (subscribe / publish / ping over WebSocket text
 * frames) that carries only sealed payloads: every announce and signal is AES-GCM encrypted with
 * the network key, so the server relays ciphertext under an opaque topic. One socket per signaling
 * URL; a message goes out on every open socket and duplicates coming back are dropped by id.
 *
 * It keeps itself connected: a ping after 120 s without a message from the server (the server
 * answers pong; a socket silent for 150 s is treated as dead; protocol L8), exponential backoff
 * with jitter after a failure, no attempts while the device says it is offline, an immediate
 * attempt on the `online` event or `reconnect()`. Two minutes, not y-webrtc's 20 s: on a metered
 * 2G link a 20 s ping alone is ~165 KB a day (L8); 120 s stays under common mobile NAT timeouts.
 */
import { randomHex } from '../../lib/random-hex';
import type { SyncLogger, Timers } from '../ports';
import { silentLogger, systemTimers } from '../ports';
import { openJson, sealJson, type NetworkKeys } from './network-keys';

/** L8: a ping after this long without a message from the server. */
export const SIGNALING_PING_INTERVAL_MS = 120_000;
/** L8: a socket that brought nothing (not even a pong) for this long is dropped as dead. */
export const SIGNALING_SILENCE_TIMEOUT_MS = 150_000;

/** The part of a WebSocket this client uses: the browser's and the `ws` package's both fit. */
export interface SignalingSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => unknown) | null;
  onclose: ((event: never) => unknown) | null;
  onerror: ((event: never) => unknown) | null;
  onmessage: ((event: never) => unknown) | null;
}

export type SignalingSocketFactory = (url: string) => SignalingSocket;

/** Where the client learns whether the device has a network at all. */
export interface OnlineSource {
  isOnline(): boolean;
  onChange(listener: (online: boolean) => void): () => void;
}

export type SignalingState = 'stopped' | 'connected' | 'connecting' | 'backing-off' | 'offline';

export interface SignalingAnnounce {
  readonly from: string;
  readonly device: string;
  /** True when the announce answered ours (sent only to us); such announces are not answered. */
  readonly directed: boolean;
}

export interface SignalingMessage {
  readonly from: string;
  readonly signal: unknown;
}

/** Why an incoming message was dropped; counted, so tests and status can see it. */
export type DropReason =
  'not-json' | 'undecryptable' | 'malformed' | 'not-for-us' | 'forged-self' | 'duplicate';

export interface SignalingClientOptions {
  readonly urls: readonly string[];
  readonly keys: NetworkKeys;
  /** This session's peer id: random, never a device, user or facility name. */
  readonly peerId: string;
  readonly deviceId: string;
  /** Default: the global `WebSocket`. Tests in Node pass the `ws` package's. */
  readonly createSocket?: SignalingSocketFactory;
  readonly online?: OnlineSource;
  readonly timers?: Timers;
  /** A float in [0, 1), for backoff jitter. */
  readonly random?: () => number;
  readonly logger?: SyncLogger;
  readonly pingIntervalMs?: number;
  readonly silenceTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
}

export interface SignalingClient {
  readonly peerId: string;
  start(): void;
  /** Unsubscribes and closes every socket; no further retries until `start()`. */
  stop(): void;
  /** Connects every socket that is not open now, skipping any backoff wait. */
  reconnect(): void;
  /** Announces this peer to the topic, or only to `to` (an answer to its announce). */
  announce(to?: string): void;
  signal(to: string, signal: unknown): void;
  onAnnounce(listener: (announce: SignalingAnnounce) => void): () => void;
  onSignal(listener: (message: SignalingMessage) => void): () => void;
  state(): SignalingState;
  onState(listener: (state: SignalingState) => void): () => void;
  dropped(): Readonly<Record<DropReason, number>>;
}

/** Peer ids are ours to mint (random hex); anything else is not a peer of this protocol. */
const PEER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MESSAGE_ID = /^[0-9a-f]{16,64}$/;
const MAX_DEVICE_ID_LENGTH = 128;
const SEEN_MESSAGE_IDS = 1024;
const OPEN = 1;

export const isPeerId = (value: unknown): value is string =>
  typeof value === 'string' && PEER_ID.test(value);

type Inner =
  | { type: 'announce'; mid: string; from: string; device: string; to?: string }
  | { type: 'signal'; mid: string; from: string; to: string; signal: unknown };

function parseInner(value: unknown): Inner | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.mid !== 'string' || !MESSAGE_ID.test(m.mid) || !isPeerId(m.from)) return undefined;
  if (m.type === 'announce') {
    if (typeof m.device !== 'string' || m.device.length === 0) return undefined;
    if (m.device.length > MAX_DEVICE_ID_LENGTH) return undefined;
    if (m.to !== undefined && !isPeerId(m.to)) return undefined;
    return m.to === undefined
      ? { type: 'announce', mid: m.mid, from: m.from, device: m.device }
      : { type: 'announce', mid: m.mid, from: m.from, device: m.device, to: m.to };
  }
  if (m.type === 'signal' && isPeerId(m.to) && 'signal' in m) {
    return { type: 'signal', mid: m.mid, from: m.from, to: m.to, signal: m.signal };
  }
  return undefined;
}

/** `navigator.onLine` and the window's online/offline events where they exist; else always online. */
export const browserOnlineSource: OnlineSource = {
  isOnline: () => typeof navigator === 'undefined' || navigator.onLine !== false,
  onChange(listener) {
    if (typeof globalThis.addEventListener !== 'function') return () => undefined;
    const online = () => listener(true);
    const offline = () => listener(false);
    globalThis.addEventListener('online', online);
    globalThis.addEventListener('offline', offline);
    return () => {
      globalThis.removeEventListener('online', online);
      globalThis.removeEventListener('offline', offline);
    };
  },
};

const defaultSocketFactory: SignalingSocketFactory = (url) => new WebSocket(url);

/** A bounded set that forgets its oldest entries. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
  }
}

interface Link {
  readonly url: string;
  socket: SignalingSocket | undefined;
  state: 'idle' | 'connecting' | 'open' | 'backing-off' | 'offline';
  failures: number;
  retryTimer: unknown;
  pingTimer: unknown;
  silenceTimer: unknown;
  connectTimer: unknown;
}

export function createSignalingClient(options: SignalingClientOptions): SignalingClient {
  const timers = options.timers ?? systemTimers;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const online = options.online ?? browserOnlineSource;
  const createSocket = options.createSocket ?? defaultSocketFactory;
  // L8: keep-alive and dead-socket detection sized for a metered link; the server's heartbeat
  // (signaling/options.ts) is longer than the ping, so a live client never needs a WebSocket ping.
  const pingIntervalMs = options.pingIntervalMs ?? SIGNALING_PING_INTERVAL_MS;
  const silenceTimeoutMs = options.silenceTimeoutMs ?? SIGNALING_SILENCE_TIMEOUT_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const backoffInitialMs = options.backoffInitialMs ?? 1_000;
  const backoffMaxMs = options.backoffMaxMs ?? 30_000;
  const { keys, peerId, deviceId } = options;

  const links: Link[] = options.urls.map((url) => ({
    url,
    socket: undefined,
    state: 'idle',
    failures: 0,
    retryTimer: undefined,
    pingTimer: undefined,
    silenceTimer: undefined,
    connectTimer: undefined,
  }));
  const announceListeners = new Set<(announce: SignalingAnnounce) => void>();
  const signalListeners = new Set<(message: SignalingMessage) => void>();
  const stateListeners = new Set<(state: SignalingState) => void>();
  const seen = new RecentIds(SEEN_MESSAGE_IDS);
  const sentByUs = new RecentIds(SEEN_MESSAGE_IDS);
  const drops: Record<DropReason, number> = {
    'not-json': 0,
    undecryptable: 0,
    malformed: 0,
    'not-for-us': 0,
    'forged-self': 0,
    duplicate: 0,
  };
  let running = false;
  let lastState: SignalingState = 'stopped';
  let stopOnlineWatch: (() => void) | undefined;
  // Sealing and opening are async; chains keep outgoing and incoming messages in order.
  let outgoing: Promise<void> = Promise.resolve();
  let incoming: Promise<void> = Promise.resolve();

  function state(): SignalingState {
    if (!running) return 'stopped';
    if (links.some((l) => l.state === 'open')) return 'connected';
    if (links.some((l) => l.state === 'connecting')) return 'connecting';
    if (!online.isOnline()) return 'offline';
    return 'backing-off';
  }

  function emitState(): void {
    const now = state();
    if (now === lastState) return;
    lastState = now;
    tell(stateListeners, now, 'state');
  }

  function clear(handle: unknown): undefined {
    if (handle !== undefined) timers.clearTimeout(handle);
    return undefined;
  }

  function clearLinkTimers(link: Link): void {
    link.retryTimer = clear(link.retryTimer);
    link.pingTimer = clear(link.pingTimer);
    link.silenceTimer = clear(link.silenceTimer);
    link.connectTimer = clear(link.connectTimer);
  }

  function ignoreSocketError(): void {}

  function drop(link: Link, reason: string): void {
    const socket = link.socket;
    link.socket = undefined;
    clearLinkTimers(link);
    if (socket) {
      socket.onopen = socket.onclose = socket.onmessage = null;
      // Closing a socket that is still connecting makes Node's `ws` emit an
      // error afterwards; with no listener that is an uncaught exception, so
      // the dropped socket keeps a handler that ignores it.
      socket.onerror = ignoreSocketError;
      try {
        socket.close();
      } catch (error) {
        logger.log('debug', 'signaling_close_failed', { url: link.url, error: String(error) });
      }
    }
    if (!running) {
      link.state = 'idle';
      return;
    }
    logger.log('info', 'signaling_disconnected', { url: link.url, reason });
    scheduleRetry(link);
  }

  function scheduleRetry(link: Link): void {
    if (!online.isOnline()) {
      link.state = 'offline';
      emitState();
      return;
    }
    const ceiling = Math.min(backoffMaxMs, backoffInitialMs * 2 ** Math.min(link.failures, 20));
    // Full jitter on the upper half: devices that lost the same server do not return in step.
    const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
    link.failures += 1;
    link.state = 'backing-off';
    link.retryTimer = timers.setTimeout(() => {
      link.retryTimer = undefined;
      connect(link);
    }, delay);
    logger.log('debug', 'signaling_backoff', { url: link.url, delayMs: delay });
    emitState();
  }

  function send(link: Link, message: unknown): void {
    if (link.socket?.readyState !== OPEN) return;
    try {
      link.socket.send(JSON.stringify(message));
    } catch (error) {
      drop(link, `send failed: ${String(error)}`);
    }
  }

  function armSilence(link: Link): void {
    link.silenceTimer = clear(link.silenceTimer);
    link.silenceTimer = timers.setTimeout(() => drop(link, 'silent'), silenceTimeoutMs);
  }

  function armPing(link: Link): void {
    link.pingTimer = timers.setTimeout(() => {
      send(link, { type: 'ping' });
      armPing(link);
    }, pingIntervalMs);
  }

  function connect(link: Link): void {
    if (!running || link.socket) return;
    link.retryTimer = clear(link.retryTimer);
    if (!online.isOnline()) {
      link.state = 'offline';
      emitState();
      return;
    }
    let socket: SignalingSocket;
    try {
      socket = createSocket(link.url);
    } catch (error) {
      logger.log('warn', 'signaling_socket_failed', { url: link.url, error: String(error) });
      scheduleRetry(link);
      return;
    }
    link.socket = socket;
    link.state = 'connecting';
    link.connectTimer = timers.setTimeout(() => drop(link, 'connect timeout'), connectTimeoutMs);
    socket.onopen = () => {
      link.connectTimer = clear(link.connectTimer);
      link.state = 'open';
      link.failures = 0;
      logger.log('info', 'signaling_connected', { url: link.url });
      send(link, { type: 'subscribe', topics: [keys.topic] });
      armSilence(link);
      armPing(link);
      emitState();
      // A new subscription: tell the topic we are here (other peers answer with theirs).
      announce();
    };
    socket.onmessage = (event: { data: unknown }) => {
      armSilence(link);
      // Anything the server sent proves the socket alive: the ping waits a full interval again.
      link.pingTimer = clear(link.pingTimer);
      armPing(link);
      receive(event.data);
    };
    socket.onclose = () => drop(link, 'closed');
    socket.onerror = () => drop(link, 'error');
    emitState();
  }

  function receive(data: unknown): void {
    if (typeof data !== 'string') {
      drops['not-json'] += 1;
      return;
    }
    let outer: unknown;
    try {
      outer = JSON.parse(data);
    } catch {
      drops['not-json'] += 1;
      logger.log('warn', 'signaling_drop', { reason: 'not-json' });
      return;
    }
    if (typeof outer !== 'object' || outer === null) return;
    const m = outer as Record<string, unknown>;
    // pong and anything else only keep the socket alive; other topics never reach us.
    if (m.type !== 'publish' || m.topic !== keys.topic) return;
    const sealed = m.data;
    // L1: nothing a message does may break the chain, or every later message would be lost.
    incoming = incoming
      .then(() => openAndDispatch(sealed))
      .catch((error: unknown) => {
        logger.log('warn', 'signaling_dispatch_failed', { error: String(error) });
      });
  }

  /**
   * L1: one listener that throws (a refused RTCPeerConnection, a bug) is logged and the others
   * still hear the message; signaling goes on.
   */
  function tell<T>(listeners: ReadonlySet<(value: T) => void>, value: T, kind: string): void {
    for (const listener of [...listeners]) {
      try {
        listener(value);
      } catch (error) {
        logger.log('warn', 'signaling_listener_failed', { kind, error: String(error) });
      }
    }
  }

  async function openAndDispatch(sealed: unknown): Promise<void> {
    const opened = await openJson(keys, sealed);
    if (!opened.ok) {
      countDrop(opened.error === 'undecryptable' ? 'undecryptable' : 'malformed', {});
      return;
    }
    const inner = parseInner(opened.value);
    if (!inner) return countDrop('malformed', {});
    if (seen.has(inner.mid)) {
      drops.duplicate += 1;
      return;
    }
    seen.add(inner.mid);
    if (inner.from === peerId) {
      // The server echoes our own publishes; anything else claiming our id is forged.
      if (!sentByUs.has(inner.mid)) countDrop('forged-self', { type: inner.type });
      return;
    }
    if (inner.to !== undefined && inner.to !== peerId) {
      drops['not-for-us'] += 1;
      return;
    }
    if (!running) return;
    if (inner.type === 'announce') {
      const announce = { from: inner.from, device: inner.device, directed: inner.to !== undefined };
      tell(announceListeners, announce, 'announce');
    } else {
      tell(signalListeners, { from: inner.from, signal: inner.signal }, 'signal');
    }
  }

  function countDrop(reason: DropReason, details: Record<string, unknown>): void {
    drops[reason] += 1;
    logger.log('warn', 'signaling_drop', { reason, ...details });
  }

  function publish(message: Record<string, unknown>): void {
    if (!running) return;
    const mid = randomHex(16);
    sentByUs.add(mid);
    outgoing = outgoing
      .then(async () => {
        const data = await sealJson(keys, { ...message, mid, from: peerId });
        for (const link of links) send(link, { type: 'publish', topic: keys.topic, data });
      })
      .catch((error: unknown) => {
        logger.log('warn', 'signaling_publish_failed', { error: String(error) });
      });
  }

  function announce(to?: string): void {
    publish(
      to === undefined
        ? { type: 'announce', device: deviceId }
        : { type: 'announce', device: deviceId, to },
    );
  }

  function onOnlineChange(isOnline: boolean): void {
    if (!running) return;
    if (isOnline) {
      logger.log('info', 'signaling_online', {});
      for (const link of links) {
        link.failures = 0;
        if (!link.socket) connect(link);
      }
    } else {
      // Sockets still open stay (they may work on a LAN); only retries pause.
      for (const link of links) {
        if (link.state === 'backing-off') {
          link.retryTimer = clear(link.retryTimer);
          link.state = 'offline';
        }
      }
    }
    emitState();
  }

  return {
    peerId,
    start() {
      if (running) return;
      running = true;
      stopOnlineWatch = online.onChange(onOnlineChange);
      for (const link of links) connect(link);
      emitState();
    },
    stop() {
      if (!running) return;
      for (const link of links) send(link, { type: 'unsubscribe', topics: [keys.topic] });
      running = false;
      stopOnlineWatch?.();
      stopOnlineWatch = undefined;
      for (const link of links) {
        link.failures = 0;
        drop(link, 'stopped');
      }
      emitState();
    },
    reconnect() {
      if (!running) return;
      for (const link of links) {
        if (link.socket) continue;
        link.failures = 0;
        connect(link);
      }
    },
    announce,
    signal(to, signal) {
      publish({ type: 'signal', to, signal });
    },
    onAnnounce(listener) {
      announceListeners.add(listener);
      return () => announceListeners.delete(listener);
    },
    onSignal(listener) {
      signalListeners.add(listener);
      return () => signalListeners.delete(listener);
    },
    state,
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    dropped: () => ({ ...drops }),
  };
}
