import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import { clientAddress, createHttpHandler, rejectUpgrade } from './http';
import type { Logger } from './logger';
import {
  createCounters,
  type CloseReason,
  type DropReason,
  type MetricsSnapshot,
  type SentType,
} from './metrics';
import { resolveOptions, type ResolvedOptions, type SignalingServerOptions } from './options';
import { PONG, parseClientMessage, type ClientMessage } from './protocol';
import { createTokenBucket, type TokenBucket } from './token-bucket';
import { createTopicRegistry } from './topics';

export type { SignalingServerOptions } from './options';
export type { MetricsSnapshot } from './metrics';

export interface SignalingServer {
  /** Binds the port; resolves with the address actually bound (useful with port 0). */
  listen(): Promise<{ host: string; port: number }>;
  /** Closes every socket (1001 first, then cut after closeGraceMs) and stops listening. */
  close(): Promise<void>;
  metrics(): MetricsSnapshot;
}

/** WebSocket close codes the server sends (RFC 6455 §7.4.1). */
export const CloseCode = {
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const;

interface Connection {
  readonly id: number;
  readonly socket: WebSocket;
  readonly address: string;
  readonly topics: Set<string>;
  readonly publishBucket: TokenBucket;
  /** Answered the last heartbeat ping. */
  alive: boolean;
  /** Sent a frame since the last heartbeat tick: alive without a WebSocket ping (LIM7, L8). */
  heard: boolean;
  /** The server has begun ending this socket; it gets no more messages. */
  closing: boolean;
  rateLimitWindowStart: number;
  rateLimitDropsInWindow: number;
  slowConsumerDropsInARow: number;
  closeTimer: NodeJS.Timeout | undefined;
}

/**
 * A y-webrtc compatible signaling server with every resource bounded. Throws at once on invalid
 * options (a startup error), never afterwards: bad peer input closes that peer's socket only.
 */
export function createSignalingServer(options: SignalingServerOptions = {}): SignalingServer {
  const resolved = resolveOptions(options);
  if (!resolved.ok) {
    const detail = resolved.error.map(({ field, rule }) => `${field}: ${rule}`).join(', ');
    throw new Error(`Invalid signaling server options (${detail})`);
  }
  return new SignalingServerImpl(resolved.value);
}

class SignalingServerImpl implements SignalingServer {
  private readonly options: ResolvedOptions;
  private readonly log: Logger;
  private readonly httpServer: http.Server;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly connectionsByAddress = new Map<string, number>();
  private readonly topics = createTopicRegistry<Connection>();
  private readonly counters = createCounters();
  private nextConnectionId = 1;
  private listeningSince: number | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private shuttingDown: Promise<void> | undefined;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.log = options.logger;
    this.httpServer = http.createServer(createHttpHandler(() => this.metrics()));
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      // Compression invites decompression bombs and costs CPU on a small box; signaling is tiny.
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(request, socket, head),
    );
    this.httpServer.on('clientError', (error: Error, socket: Duplex) => {
      this.log.log('debug', 'http_client_error', { error: error.message });
      socket.destroy();
    });
  }

  listen(): Promise<{ host: string; port: number }> {
    if (this.listeningSince !== undefined || this.shuttingDown) {
      return Promise.reject(new Error('The signaling server can only be started once.'));
    }
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.httpServer.once('error', onError);
      this.httpServer.listen(this.options.port, this.options.host, () => {
        this.httpServer.off('error', onError);
        this.httpServer.on('error', (error) =>
          this.log.log('error', 'http_server_error', { error: error.message }),
        );
        this.listeningSince = this.options.clock.now();
        this.heartbeatTimer = setInterval(() => this.heartbeat(), this.options.heartbeatIntervalMs);
        const { address, port } = this.httpServer.address() as AddressInfo;
        const urlHost = address.includes(':') ? `[${address}]` : address;
        this.log.log('info', 'listening', { host: address, port, url: `ws://${urlHost}:${port}` });
        resolve({ host: address, port });
      });
    });
  }

  close(): Promise<void> {
    this.shuttingDown ??= this.shutDown();
    return this.shuttingDown;
  }

  metrics(): MetricsSnapshot {
    const { counters } = this;
    return {
      uptimeSeconds:
        this.listeningSince === undefined
          ? 0
          : Math.max(0, (this.options.clock.now() - this.listeningSince) / 1000),
      connectionsCurrent: this.connections.size,
      connectionsTotal: counters.connectionsTotal,
      topicsCurrent: this.topics.size,
      messagesReceived: { ...counters.messagesReceived },
      messagesSent: { ...counters.messagesSent },
      drops: { ...counters.drops },
      serverCloses: { ...counters.serverCloses },
    };
  }

  private async shutDown(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    if (!this.httpServer.listening) return;
    this.log.log('info', 'shutting_down', { connections: this.connections.size });
    const stopped = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
    for (const connection of this.connections) {
      this.closeConnection(connection, 'shutdown', CloseCode.goingAway, 'server shutting down');
    }
    await this.allConnectionsClosed();
    // Idle keep-alive HTTP connections would otherwise hold the port open.
    this.httpServer.closeAllConnections();
    await stopped;
    this.log.log('info', 'stopped', {});
  }

  private allConnectionsClosed(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.connections.size === 0) resolve();
        else setTimeout(check, 10);
      };
      check();
    });
  }

  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A reset during the handshake must not become an unhandled 'error' event.
    socket.on('error', (error) =>
      this.log.log('debug', 'upgrade_socket_error', { error: error.message }),
    );
    if (this.shuttingDown) return rejectUpgrade(socket, 503);

    const address = clientAddress(request, this.options.trustProxy);
    const origin = request.headers.origin;
    const { allowedOrigins } = this.options;
    if (allowedOrigins && (origin === undefined || !allowedOrigins.has(origin))) {
      this.counters.drops.origin++;
      this.log.log('warn', 'connection_rejected', {
        reason: 'origin',
        address,
        // Client-controlled, so bounded before it reaches the logs.
        origin: origin?.slice(0, 200),
      });
      return rejectUpgrade(socket, 403);
    }
    const fromAddress = this.connectionsByAddress.get(address) ?? 0;
    if (
      fromAddress >= this.options.maxConnectionsPerAddress ||
      this.connections.size >= this.options.maxConnections
    ) {
      this.counters.drops.too_many_connections++;
      this.log.log('warn', 'connection_rejected', { reason: 'too_many_connections', address });
      return rejectUpgrade(socket, 429);
    }
    // handleUpgrade completes synchronously (no verifyClient), so the counts checked above cannot
    // be overtaken by another handshake before onConnection records this one.
    this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws, address));
  }

  private onConnection(socket: WebSocket, address: string): void {
    const connection: Connection = {
      id: this.nextConnectionId++,
      socket,
      address,
      topics: new Set(),
      publishBucket: createTokenBucket({
        ratePerSecond: this.options.publishRatePerSecond,
        burst: this.options.publishBurst,
        clock: this.options.clock,
      }),
      alive: true,
      heard: false,
      closing: false,
      rateLimitWindowStart: this.options.clock.now(),
      rateLimitDropsInWindow: 0,
      slowConsumerDropsInARow: 0,
      closeTimer: undefined,
    };
    this.connections.add(connection);
    this.connectionsByAddress.set(address, (this.connectionsByAddress.get(address) ?? 0) + 1);
    this.counters.connectionsTotal++;
    this.log.log('info', 'connection_opened', { connection: connection.id, address });

    socket.on('message', (data: RawData, isBinary: boolean) => {
      try {
        this.onFrame(connection, data, isBinary);
      } catch (error) {
        // A bug in handling one frame must cost that socket only, never the process.
        this.log.log('error', 'frame_handler_failed', {
          connection: connection.id,
          error: error instanceof Error ? error.message : String(error),
        });
        this.closeConnection(
          connection,
          'internal_error',
          CloseCode.internalError,
          'internal error',
        );
      }
    });
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('error', (error: Error & { code?: string }) => this.onSocketError(connection, error));
    socket.on('close', (code: number) => this.onClose(connection, code));
  }

  private onFrame(connection: Connection, data: RawData, isBinary: boolean): void {
    if (connection.closing) return;
    connection.heard = true;
    if (isBinary) {
      this.rejectFrame(connection, CloseCode.unsupportedData, 'binary frames are not supported');
      return;
    }
    const parsed = parseClientMessage(rawDataToString(data), this.options);
    if (!parsed.ok) {
      const { field, rule } = parsed.error;
      this.rejectFrame(connection, CloseCode.invalidPayload, `malformed message: ${field} ${rule}`);
      return;
    }
    this.counters.messagesReceived[parsed.value.type]++;
    this.handleMessage(connection, parsed.value);
  }

  private handleMessage(connection: Connection, message: ClientMessage): void {
    switch (message.type) {
      case 'subscribe':
        return this.subscribe(connection, message.topics);
      case 'unsubscribe':
        for (const topic of message.topics) {
          connection.topics.delete(topic);
          this.topics.remove(topic, connection);
        }
        return;
      case 'publish':
        return this.publish(connection, message.topic, message.message);
      case 'ping':
        this.send(connection, PONG, 'pong');
        return;
      case 'other':
        return;
    }
  }

  private subscribe(connection: Connection, topics: readonly string[]): void {
    let refused = 0;
    for (const topic of topics) {
      if (connection.topics.has(topic)) continue;
      // Extra topics are refused rather than the socket closed: y-webrtc would reconnect at once
      // with the same list and loop; this way its first rooms keep working.
      if (connection.topics.size >= this.options.maxTopicsPerConnection) {
        refused++;
        continue;
      }
      connection.topics.add(topic);
      this.topics.add(topic, connection);
    }
    if (refused > 0) {
      this.counters.drops.too_many_topics += refused;
      this.log.log('warn', 'too_many_topics', {
        connection: connection.id,
        refused,
        limit: this.options.maxTopicsPerConnection,
      });
    }
  }

  private publish(connection: Connection, topic: string, message: Record<string, unknown>): void {
    if (!connection.publishBucket.take()) {
      this.onRateLimited(connection);
      return;
    }
    const receivers = this.topics.subscribers(topic);
    if (!receivers) return;
    // As y-webrtc's reference server does: every subscriber, the publisher included, gets the
    // message with the subscriber count added. Serialised once, shared by all receivers.
    message['clients'] = receivers.size;
    const frame = Buffer.from(JSON.stringify(message));
    // Copied because a send may cut a slow receiver, which removes it from this set.
    for (const receiver of [...receivers]) this.send(receiver, frame, 'publish');
  }

  private onRateLimited(connection: Connection): void {
    this.counters.drops.rate_limited++;
    const now = this.options.clock.now();
    if (now - connection.rateLimitWindowStart >= this.options.rateLimitWindowMs) {
      connection.rateLimitWindowStart = now;
      connection.rateLimitDropsInWindow = 0;
    }
    connection.rateLimitDropsInWindow++;
    // Logged once per window, not per drop, so a flood cannot flood the logs too.
    if (connection.rateLimitDropsInWindow === 1) {
      this.log.log('warn', 'rate_limited', {
        connection: connection.id,
        address: connection.address,
      });
    }
    if (connection.rateLimitDropsInWindow >= this.options.rateLimitCloseAfterDrops) {
      this.closeConnection(
        connection,
        'rate_limited',
        CloseCode.policyViolation,
        'publish rate limit exceeded',
      );
    }
  }

  /** Sends unless the receiver is already too far behind: its queue never grows past the bound. */
  private send(connection: Connection, frame: string | Buffer, type: SentType): void {
    const { socket } = connection;
    if (connection.closing || socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount + frame.length > this.options.maxBufferedBytes) {
      this.counters.drops.slow_consumer++;
      connection.slowConsumerDropsInARow++;
      if (connection.slowConsumerDropsInARow === 1) {
        this.log.log('warn', 'slow_consumer', {
          connection: connection.id,
          bufferedBytes: socket.bufferedAmount,
        });
      }
      if (connection.slowConsumerDropsInARow >= this.options.slowConsumerCloseAfterDrops) {
        // Cut, not closed: a close frame would only queue behind the data it is not reading.
        this.terminateConnection(connection, 'slow_consumer');
      }
      return;
    }
    connection.slowConsumerDropsInARow = 0;
    socket.send(frame, { binary: false });
    this.counters.messagesSent[type]++;
  }

  private heartbeat(): void {
    for (const connection of this.connections) {
      if (connection.closing || connection.socket.readyState !== WebSocket.OPEN) continue;
      // L8: a client that spoke this interval (Pamoja's pings come every 120 s, under the 150 s
      // heartbeat) is alive; pinging it too would only add bytes to a metered link.
      if (connection.heard) {
        connection.heard = false;
        connection.alive = true;
        continue;
      }
      if (!connection.alive) {
        this.counters.drops.heartbeat_timeout++;
        this.terminateConnection(connection, 'heartbeat_timeout');
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  private onSocketError(connection: Connection, error: Error & { code?: string }): void {
    // ws reports protocol violations it detects itself (too big, invalid UTF-8, bad opcode) as
    // errors and closes the socket with the matching code; we only count and detach.
    const reason: DropReason & CloseReason =
      error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ||
      error.code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH'
        ? 'oversize'
        : 'malformed';
    const isProtocolError = error.code?.startsWith('WS_ERR_') === true;
    this.log.log(isProtocolError ? 'warn' : 'info', 'socket_error', {
      connection: connection.id,
      code: error.code,
      error: error.message,
    });
    if (!isProtocolError || connection.closing) return;
    this.counters.drops[reason]++;
    this.counters.serverCloses[reason]++;
    this.beginClosing(connection);
    this.cutAfterGrace(connection);
  }

  private rejectFrame(connection: Connection, code: number, reason: string): void {
    this.counters.drops.malformed++;
    this.closeConnection(connection, 'malformed', code, reason);
  }

  private closeConnection(
    connection: Connection,
    reason: CloseReason,
    code: number,
    text: string,
  ): void {
    if (connection.closing) return;
    this.counters.serverCloses[reason]++;
    this.beginClosing(connection);
    this.log.log(reason === 'shutdown' ? 'info' : 'warn', 'connection_closing', {
      connection: connection.id,
      address: connection.address,
      reason,
      code,
    });
    connection.socket.close(code, text);
    this.cutAfterGrace(connection);
  }

  /** A peer that never answers our close frame would otherwise hold its slot for ws's 30 s. */
  private cutAfterGrace(connection: Connection): void {
    connection.closeTimer = setTimeout(
      () => connection.socket.terminate(),
      this.options.closeGraceMs,
    );
  }

  private terminateConnection(connection: Connection, reason: CloseReason): void {
    if (connection.closing) return;
    this.counters.serverCloses[reason]++;
    this.beginClosing(connection);
    this.log.log('warn', 'connection_terminated', {
      connection: connection.id,
      address: connection.address,
      reason,
    });
    connection.socket.terminate();
  }

  /** Stops all traffic to a connection at once, before its socket has finished closing. */
  private beginClosing(connection: Connection): void {
    connection.closing = true;
    for (const topic of connection.topics) this.topics.remove(topic, connection);
    connection.topics.clear();
  }

  private onClose(connection: Connection, code: number): void {
    clearTimeout(connection.closeTimer);
    this.beginClosing(connection);
    if (!this.connections.delete(connection)) return;
    const remaining = (this.connectionsByAddress.get(connection.address) ?? 1) - 1;
    if (remaining > 0) this.connectionsByAddress.set(connection.address, remaining);
    else this.connectionsByAddress.delete(connection.address);
    this.log.log('info', 'connection_closed', { connection: connection.id, code });
  }
}

function rawDataToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
