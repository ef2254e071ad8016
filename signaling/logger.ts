import type { Clock } from '../src/lib/deps';
import { systemClock } from '../src/lib/deps';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogFields = Readonly<Record<string, unknown>>;

/** Structured logging: an event name plus flat fields, so log pipelines can filter without regexes. */
export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

export interface JsonLoggerOptions {
  /** Where each line goes; stdout by default. */
  readonly write?: (line: string) => void;
  readonly minLevel?: LogLevel;
  readonly clock?: Clock;
}

/** One JSON object per line: `{"time":…,"level":…,"event":…, …fields}`. */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const threshold = LOG_LEVELS.indexOf(options.minLevel ?? 'info');
  const clock = options.clock ?? systemClock;
  return {
    log(level, event, fields = {}) {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      const time = new Date(clock.now()).toISOString();
      // The fixed keys come first for readability and are assigned again last, so a field can
      // never masquerade as the level or event.
      const fixed = { time, level, event };
      write(JSON.stringify(Object.assign({ ...fixed }, fields, fixed)));
    },
  };
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
