import { err, ok, type Result } from '../src/lib/result';
import { isLogLevel, type LogLevel } from './logger';
import type { SignalingServerOptions } from './options';

/** Environment variable for each numeric option; the README lists the same table. */
export const NUMERIC_ENV_VARS = {
  PORT: 'port',
  SIGNALING_MAX_FRAME_BYTES: 'maxFrameBytes',
  SIGNALING_MAX_JSON_DEPTH: 'maxJsonDepth',
  SIGNALING_MAX_TOPICS_PER_CONNECTION: 'maxTopicsPerConnection',
  SIGNALING_MAX_TOPIC_LENGTH: 'maxTopicLength',
  SIGNALING_MAX_CONNECTIONS_PER_ADDRESS: 'maxConnectionsPerAddress',
  SIGNALING_MAX_CONNECTIONS: 'maxConnections',
  SIGNALING_PUBLISH_RATE_PER_SECOND: 'publishRatePerSecond',
  SIGNALING_PUBLISH_BURST: 'publishBurst',
  SIGNALING_RATE_LIMIT_CLOSE_AFTER_DROPS: 'rateLimitCloseAfterDrops',
  SIGNALING_RATE_LIMIT_WINDOW_MS: 'rateLimitWindowMs',
  SIGNALING_HEARTBEAT_INTERVAL_MS: 'heartbeatIntervalMs',
  SIGNALING_MAX_BUFFERED_BYTES: 'maxBufferedBytes',
  SIGNALING_SLOW_CONSUMER_CLOSE_AFTER_DROPS: 'slowConsumerCloseAfterDrops',
  SIGNALING_CLOSE_GRACE_MS: 'closeGraceMs',
} as const satisfies Record<string, keyof SignalingServerOptions>;

type NumericOption = (typeof NUMERIC_ENV_VARS)[keyof typeof NUMERIC_ENV_VARS];

export interface EnvConfig {
  readonly options: Omit<SignalingServerOptions, 'logger' | 'clock'>;
  readonly logLevel: LogLevel;
}

export interface EnvIssue {
  readonly field: string;
  readonly rule: 'number' | 'boolean' | 'log_level';
}

/**
 * Reads the CLI configuration. Only syntax is checked here; ranges are checked by the server's
 * own option validation, so the rules live in one place.
 */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Result<EnvConfig, EnvIssue[]> {
  const issues: EnvIssue[] = [];
  const numeric: Partial<Record<NumericOption, number>> = {};
  for (const [name, option] of Object.entries(NUMERIC_ENV_VARS)) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (Number.isFinite(value)) numeric[option] = value;
    else issues.push({ field: name, rule: 'number' });
  }

  const trustProxy = parseBoolean(env['TRUST_PROXY']);
  if (trustProxy === 'invalid') issues.push({ field: 'TRUST_PROXY', rule: 'boolean' });

  const logLevel = env['LOG_LEVEL']?.trim() || 'info';
  if (!isLogLevel(logLevel)) issues.push({ field: 'LOG_LEVEL', rule: 'log_level' });

  if (issues.length > 0 || !isLogLevel(logLevel) || trustProxy === 'invalid') return err(issues);

  const origins = env['ALLOWED_ORIGINS']
    ?.split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  return ok({
    logLevel,
    options: {
      host: env['HOST']?.trim() || undefined,
      ...numeric,
      allowedOrigins: origins && origins.length > 0 ? origins : undefined,
      trustProxy,
    },
  });
}

function parseBoolean(raw: string | undefined): boolean | undefined | 'invalid' {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (value === '1' || value === 'true' || value === 'yes') return true;
  if (value === '0' || value === 'false' || value === 'no') return false;
  return 'invalid';
}
