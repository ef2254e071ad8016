import { afterEach, describe, expect, it } from 'vitest';
import { DROP_REASONS } from '../metrics';
import { connect, createManualClock, startServer, stopAll, waitUntil } from './helpers';

afterEach(stopAll);

/** Reads one sample from Prometheus text, e.g. sample(text, 'signaling_drops_total{reason="origin"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('HTTP endpoints on the signaling port', () => {
  it('HTTP1: GET /healthz answers 200 with status ok and the uptime', async () => {
    const clock = createManualClock();
    const { httpUrl } = await startServer({ clock });
    clock.advance(12_500);

    const response = await fetch(`${httpUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: 'ok', uptimeSeconds: 12.5 });
  });

  it('HTTP2: GET /metrics reports connections, topics, messages and drops in Prometheus format', async () => {
    const { url, httpUrl, server } = await startServer({ maxTopicsPerConnection: 2 });
    const [alice, bob] = await Promise.all([connect(url), connect(url)]);
    alice.send({ type: 'subscribe', topics: ['a', 'b', 'c'] });
    bob.send({ type: 'subscribe', topics: ['a'] });
    await Promise.all([alice.roundTrip(), bob.roundTrip()]);
    bob.send({ type: 'publish', topic: 'a', data: 1 });
    await alice.next((message) => message['type'] === 'publish');
    await bob.next((message) => message['type'] === 'publish');
    const leaver = await connect(url);
    leaver.socket.close();
    await waitUntil(() => server.metrics().connectionsCurrent === 2);

    const response = await fetch(`${httpUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();

    expect(text).toContain('# TYPE signaling_connections_current gauge');
    expect(text).toContain('# TYPE signaling_drops_total counter');
    expect(sample(text, 'signaling_connections_current')).toBe(2);
    expect(sample(text, 'signaling_connections_total')).toBe(3);
    expect(sample(text, 'signaling_topics_current')).toBe(2);
    expect(sample(text, 'signaling_messages_received_total{type="subscribe"}')).toBe(2);
    expect(sample(text, 'signaling_messages_received_total{type="publish"}')).toBe(1);
    // Two round trips each, before the metrics request.
    expect(sample(text, 'signaling_messages_received_total{type="ping"}')).toBe(2);
    expect(sample(text, 'signaling_messages_sent_total{type="publish"}')).toBe(2);
    expect(sample(text, 'signaling_messages_sent_total{type="pong"}')).toBe(2);
    expect(sample(text, 'signaling_drops_total{reason="too_many_topics"}')).toBe(1);
    for (const reason of DROP_REASONS) {
      expect(sample(text, `signaling_drops_total{reason="${reason}"}`), reason).toBeTypeOf(
        'number',
      );
    }
    expect(sample(text, 'signaling_uptime_seconds')).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/metrics/extra'],
    ['GET', '/nope'],
    ['POST', '/healthz'],
    ['DELETE', '/metrics'],
  ])('HTTP3: %s %s answers 404', async (method, path) => {
    const { httpUrl } = await startServer();
    const response = await fetch(`${httpUrl}${path}`, { method });
    expect(response.status).toBe(404);
    await response.text();
  });

  it('HTTP1: query strings do not change the route', async () => {
    const { httpUrl } = await startServer();
    const response = await fetch(`${httpUrl}/healthz?probe=k8s`);
    expect(response.status).toBe(200);
    await response.text();
  });
});
