import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../env';
import { createJsonLogger } from '../logger';
import { CLOSE_REASONS, createCounters, renderPrometheus } from '../metrics';
import { DEFAULT_OPTIONS, resolveOptions } from '../options';
import { exceedsNestingDepth, parseClientMessage } from '../protocol';
import { createSignalingServer } from '../server';
import { createTokenBucket } from '../token-bucket';
import { createManualClock } from './helpers';

const limits = { maxJsonDepth: 4, maxTopicLength: 8 };
const SEED = 20_240_611;

describe('parseClientMessage', () => {
  it('reads the four y-webrtc message types', () => {
    expect(parseClientMessage('{"type":"subscribe","topics":["a","b"]}', limits)).toEqual({
      ok: true,
      value: { type: 'subscribe', topics: ['a', 'b'] },
    });
    expect(parseClientMessage('{"type":"unsubscribe","topics":[]}', limits)).toEqual({
      ok: true,
      value: { type: 'unsubscribe', topics: [] },
    });
    expect(parseClientMessage('{"type":"publish","topic":"a","data":{"x":[1]}}', limits)).toEqual({
      ok: true,
      value: {
        type: 'publish',
        topic: 'a',
        message: { type: 'publish', topic: 'a', data: { x: [1] } },
      },
    });
    expect(parseClientMessage('{"type":"ping"}', limits)).toEqual({
      ok: true,
      value: { type: 'ping' },
    });
    expect(parseClientMessage('{"type":"pong"}', limits)).toEqual({
      ok: true,
      value: { type: 'other' },
    });
  });

  it('accepts nesting up to maxJsonDepth and rejects one level more', () => {
    expect(parseClientMessage('{"type":"publish","topic":"a","d":[[{}]]}', limits).ok).toBe(true);
    expect(parseClientMessage('{"type":"publish","topic":"a","d":[[{"e":[]}]]}', limits)).toEqual({
      ok: false,
      error: { field: '$', rule: 'max_depth' },
    });
  });

  it('an own __proto__ key stays plain data', () => {
    const result = parseClientMessage('{"type":"publish","topic":"a","__proto__":{"x":1}}', limits);
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('exceedsNestingDepth', () => {
  it('agrees with the true depth of any JSON value, brackets inside strings included', () => {
    const depthOf = (value: unknown): number =>
      typeof value === 'object' && value !== null
        ? 1 + Math.max(0, ...Object.values(value).map(depthOf))
        : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 8 }), (value, max) => {
        const text = JSON.stringify(value);
        expect(exceedsNestingDepth(text, max)).toBe(depthOf(value) > max);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('handles escaped quotes and brackets inside strings', () => {
    expect(exceedsNestingDepth(JSON.stringify({ a: '\\"[[[[[' }), 1)).toBe(false);
    expect(exceedsNestingDepth(JSON.stringify(['"{{{', ['x']]), 1)).toBe(true);
  });

  it('scans a million brackets without recursion', () => {
    expect(exceedsNestingDepth('['.repeat(1_000_000), 32)).toBe(true);
  });
});

describe('createTokenBucket', () => {
  it('allows a burst, then the refill rate, and never more than the burst after idling', () => {
    const clock = createManualClock();
    const bucket = createTokenBucket({ ratePerSecond: 4, burst: 3, clock });
    const takeMany = (count: number) => Array.from({ length: count }, () => bucket.take());

    expect(takeMany(4)).toEqual([true, true, true, false]);
    clock.advance(250);
    expect(takeMany(2)).toEqual([true, false]);
    clock.advance(60_000);
    expect(takeMany(4)).toEqual([true, true, true, false]);
  });

  it('a clock stepping backwards grants nothing, and time after the step counts as usual', () => {
    const clock = createManualClock();
    const bucket = createTokenBucket({ ratePerSecond: 1, burst: 1, clock });
    expect(bucket.take()).toBe(true);
    clock.advance(-10_000);
    expect(bucket.take()).toBe(false);
    clock.advance(999);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
  });
});

describe('options', () => {
  it('fills defaults and ignores explicit undefined', () => {
    const resolved = resolveOptions({ port: undefined, maxTopicLength: 10 });
    expect(resolved.ok && resolved.value.port).toBe(DEFAULT_OPTIONS.port);
    expect(resolved.ok && resolved.value.maxTopicLength).toBe(10);
    expect(resolved.ok && resolved.value.allowedOrigins).toBeUndefined();
  });

  it('reports every invalid option as a field and rule', () => {
    expect(
      resolveOptions({
        port: 70_000,
        maxFrameBytes: 1.5,
        maxTopicsPerConnection: 0,
        publishRatePerSecond: -1,
        host: '',
        allowedOrigins: [''],
      }),
    ).toEqual({
      ok: false,
      error: [
        { field: 'maxFrameBytes', rule: 'integer' },
        { field: 'maxTopicsPerConnection', rule: 'positive' },
        { field: 'publishRatePerSecond', rule: 'positive' },
        { field: 'port', rule: 'port' },
        { field: 'host', rule: 'non_empty' },
        { field: 'allowedOrigins', rule: 'non_empty' },
      ],
    });
    expect(resolveOptions({ heartbeatIntervalMs: 2 ** 31 })).toEqual({
      ok: false,
      error: [{ field: 'heartbeatIntervalMs', rule: 'max_timer_delay' }],
    });
    expect(resolveOptions({ maxBufferedBytes: 1000, maxFrameBytes: 2000 })).toEqual({
      ok: false,
      error: [{ field: 'maxBufferedBytes', rule: 'at_least_max_frame_bytes' }],
    });
  });

  it('createSignalingServer refuses invalid options at startup with a readable message', () => {
    expect(() => createSignalingServer({ maxConnections: 0 })).toThrow(
      'Invalid signaling server options (maxConnections: positive)',
    );
  });
});

describe('configFromEnv', () => {
  it('maps HOST, PORT, SIGNALING_* limits, origins, proxy trust and log level', () => {
    expect(
      configFromEnv({
        HOST: '0.0.0.0',
        PORT: '8080',
        SIGNALING_MAX_FRAME_BYTES: '1024',
        SIGNALING_PUBLISH_RATE_PER_SECOND: '0.5',
        ALLOWED_ORIGINS: 'https://a.example, https://b.example,',
        TRUST_PROXY: 'true',
        LOG_LEVEL: 'warn',
        UNRELATED: 'x',
      }),
    ).toEqual({
      ok: true,
      value: {
        logLevel: 'warn',
        options: {
          host: '0.0.0.0',
          port: 8080,
          maxFrameBytes: 1024,
          publishRatePerSecond: 0.5,
          allowedOrigins: ['https://a.example', 'https://b.example'],
          trustProxy: true,
        },
      },
    });
  });

  it('an empty environment leaves every option to its default', () => {
    const config = configFromEnv({});
    expect(config.ok && config.value.logLevel).toBe('info');
    const resolved = resolveOptions(config.ok ? config.value.options : {});
    expect(resolved.ok && resolved.value.host).toBe('127.0.0.1');
    expect(resolved.ok && resolved.value.port).toBe(4444);
  });

  it('reports unreadable values instead of guessing', () => {
    expect(configFromEnv({ PORT: '44x', TRUST_PROXY: 'maybe', LOG_LEVEL: 'loud' })).toEqual({
      ok: false,
      error: [
        { field: 'PORT', rule: 'number' },
        { field: 'TRUST_PROXY', rule: 'boolean' },
        { field: 'LOG_LEVEL', rule: 'log_level' },
      ],
    });
  });
});

describe('createJsonLogger', () => {
  it('writes one JSON object per line, filtered by level, and fields cannot forge level or event', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({
      write: (line) => lines.push(line),
      minLevel: 'info',
      clock: createManualClock(0),
    });
    logger.log('debug', 'hidden');
    logger.log('warn', 'rate_limited', { connection: 7, level: 'debug', event: 'fake' });
    expect(lines).toEqual([
      '{"time":"1970-01-01T00:00:00.000Z","level":"warn","event":"rate_limited","connection":7}',
    ]);
  });
});

describe('renderPrometheus', () => {
  it('emits HELP and TYPE for each family and a sample for every label value', () => {
    const counters = createCounters();
    counters.serverCloses.shutdown = 4;
    counters.connectionsTotal = 9;
    const text = renderPrometheus({
      ...counters,
      uptimeSeconds: 1,
      connectionsCurrent: 0,
      topicsCurrent: 0,
    });
    expect(text).toContain('# HELP signaling_connections_total ');
    expect(text).toContain('signaling_connections_total 9\n');
    expect(text).toContain('signaling_server_closes_total{reason="shutdown"} 4\n');
    expect(text.match(/^signaling_server_closes_total\{/gm)).toHaveLength(CLOSE_REASONS.length);
    expect(text.endsWith('\n')).toBe(true);
  });
});
