import type { Clock } from '../src/lib/deps';
import { systemClock } from '../src/lib/deps';
import { err, ok, type Result } from '../src/lib/result';
import type { Logger } from './logger';
import { createJsonLogger } from './logger';

/**
 * Every limit the server enforces. All are optional; the defaults suit a clinic LAN box and a
 * small cloud instance alike (see signaling/README.md for the reasoning behind each number).
 */
export interface SignalingServerOptions {
  /** Interface to bind. Default 127.0.0.1: exposing the server is a deliberate choice. */
  readonly host?: string;
  /** TCP port; 0 picks a free one (tests). Default 4444, y-webrtc's conventional port. */
  readonly port?: number;
  /** Largest WebSocket message accepted, in bytes; bigger ones close the socket with 1009. */
  readonly maxFrameBytes?: number;
  /** Deepest JSON nesting accepted ({ and [ levels). */
  readonly maxJsonDepth?: number;
  readonly maxTopicsPerConnection?: number;
  /** In UTF-16 code units, as JavaScript measures string length. */
  readonly maxTopicLength?: number;
  readonly maxConnectionsPerAddress?: number;
  readonly maxConnections?: number;
  /** Token bucket refill rate for publishes, per connection. */
  readonly publishRatePerSecond?: number;
  /** Token bucket size: publishes a connection may send in one burst. */
  readonly publishBurst?: number;
  /** A connection that has this many publishes dropped within rateLimitWindowMs is closed. */
  readonly rateLimitCloseAfterDrops?: number;
  readonly rateLimitWindowMs?: number;
  /**
   * Heartbeat tick. A socket that sent no frame since the last tick gets a WebSocket ping; one that
   * neither sent a frame nor answered the previous ping is cut. Longer than the client's 120 s
   * ping (protocol L8), so a live Pamoja client is never pinged.
   */
  readonly heartbeatIntervalMs?: number;
  /** Bytes queued towards one receiver above which further messages to it are dropped. */
  readonly maxBufferedBytes?: number;
  /** A receiver that has this many messages dropped in a row is cut as a slow consumer. */
  readonly slowConsumerCloseAfterDrops?: number;
  /** After the server sends a close frame, how long the peer has to answer before the socket is cut. */
  readonly closeGraceMs?: number;
  /** Exact Origin header values allowed to connect; undefined allows every origin. */
  readonly allowedOrigins?: readonly string[];
  /** Take the client address from the last X-Forwarded-For entry (only behind a trusted proxy). */
  readonly trustProxy?: boolean;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export type ResolvedOptions = Required<Omit<SignalingServerOptions, 'allowedOrigins'>> & {
  readonly allowedOrigins: ReadonlySet<string> | undefined;
};

export interface OptionIssue {
  readonly field: string;
  readonly rule:
    | 'integer'
    | 'positive'
    | 'port'
    | 'non_empty'
    | 'boolean'
    | 'at_least_max_frame_bytes'
    | 'max_timer_delay';
}

export const DEFAULT_OPTIONS = {
  host: '127.0.0.1',
  port: 4444,
  maxFrameBytes: 64 * 1024,
  maxJsonDepth: 32,
  maxTopicsPerConnection: 64,
  maxTopicLength: 256,
  maxConnectionsPerAddress: 32,
  maxConnections: 10_000,
  publishRatePerSecond: 50,
  publishBurst: 100,
  rateLimitCloseAfterDrops: 200,
  rateLimitWindowMs: 10_000,
  heartbeatIntervalMs: 150_000,
  maxBufferedBytes: 1024 * 1024,
  slowConsumerCloseAfterDrops: 32,
  closeGraceMs: 5_000,
  trustProxy: false,
} as const;

const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** Options that must be whole numbers of at least 1. */
export const POSITIVE_INTEGER_OPTIONS = [
  'maxFrameBytes',
  'maxJsonDepth',
  'maxTopicsPerConnection',
  'maxTopicLength',
  'maxConnectionsPerAddress',
  'maxConnections',
  'publishBurst',
  'rateLimitCloseAfterDrops',
  'rateLimitWindowMs',
  'heartbeatIntervalMs',
  'maxBufferedBytes',
  'slowConsumerCloseAfterDrops',
  'closeGraceMs',
] as const satisfies readonly (keyof SignalingServerOptions)[];

export function resolveOptions(
  options: SignalingServerOptions,
): Result<ResolvedOptions, OptionIssue[]> {
  const merged = { ...DEFAULT_OPTIONS, ...withoutUndefined(options) };
  const issues: OptionIssue[] = [];

  for (const field of POSITIVE_INTEGER_OPTIONS) {
    const value = merged[field];
    if (!Number.isInteger(value)) issues.push({ field, rule: 'integer' });
    else if (value < 1) issues.push({ field, rule: 'positive' });
  }
  // Node clamps longer timer delays to 1 ms, which would turn a heartbeat into a busy loop.
  for (const field of ['heartbeatIntervalMs', 'closeGraceMs'] as const) {
    if (merged[field] > MAX_TIMER_DELAY_MS) issues.push({ field, rule: 'max_timer_delay' });
  }
  // The refill rate may be fractional (e.g. one publish every two seconds).
  if (!Number.isFinite(merged.publishRatePerSecond) || merged.publishRatePerSecond <= 0) {
    issues.push({ field: 'publishRatePerSecond', rule: 'positive' });
  }
  if (!Number.isInteger(merged.port) || merged.port < 0 || merged.port > 65_535) {
    issues.push({ field: 'port', rule: 'port' });
  }
  if (typeof merged.host !== 'string' || merged.host === '') {
    issues.push({ field: 'host', rule: 'non_empty' });
  }
  // Otherwise a receiver with an empty queue could still never be sent a maximum-size publish.
  if (merged.maxBufferedBytes < merged.maxFrameBytes) {
    issues.push({ field: 'maxBufferedBytes', rule: 'at_least_max_frame_bytes' });
  }
  if (typeof merged.trustProxy !== 'boolean') issues.push({ field: 'trustProxy', rule: 'boolean' });
  if (options.allowedOrigins?.some((origin) => origin === '')) {
    issues.push({ field: 'allowedOrigins', rule: 'non_empty' });
  }
  if (issues.length > 0) return err(issues);

  return ok({
    ...merged,
    allowedOrigins: options.allowedOrigins ? new Set(options.allowedOrigins) : undefined,
    logger: options.logger ?? createJsonLogger(),
    clock: options.clock ?? systemClock,
  });
}

/** Spreading `{ port: undefined }` over the defaults would erase them. */
function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
