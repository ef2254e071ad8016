import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../server';
import {
  connect,
  createManualClock,
  refusedUpgradeStatus,
  startServer,
  stopAll,
  waitUntil,
  type TestClient,
} from './helpers';

afterEach(stopAll);

/** Resolves once `count()` has not changed for `quietMs`. */
async function waitForQuiet(count: () => number, quietMs = 100): Promise<void> {
  let previous = -1;
  while (previous !== count()) {
    previous = count();
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}

/** A subscriber and a publisher on one topic, to show the server still serves everyone else. */
async function bystanders(url: string): Promise<{ check(): Promise<void> }> {
  const [listener, talker] = await Promise.all([connect(url), connect(url)]);
  listener.send({ type: 'subscribe', topics: ['bystanders'] });
  await listener.roundTrip();
  let round = 0;
  return {
    async check() {
      round++;
      talker.send({ type: 'publish', topic: 'bystanders', data: round });
      await listener.next((message) => message['data'] === round);
    },
  };
}

describe('limits', () => {
  it('LIM1: a frame over maxFrameBytes closes that socket with 1009; one at the limit is delivered', async () => {
    const maxFrameBytes = 4096;
    const { url, server } = await startServer({ maxFrameBytes });
    const others = await bystanders(url);
    const client = await connect(url);
    client.send({ type: 'subscribe', topics: ['t'] });

    const envelope = JSON.stringify({ type: 'publish', topic: 't', data: '' });
    const atLimit = {
      type: 'publish',
      topic: 't',
      data: 'x'.repeat(maxFrameBytes - envelope.length),
    };
    expect(Buffer.byteLength(JSON.stringify(atLimit))).toBe(maxFrameBytes);
    client.send(atLimit);
    expect((await client.next((message) => message['type'] === 'publish'))['data']).toBe(
      atLimit.data,
    );

    client.send({ ...atLimit, data: `${atLimit.data}x` });
    expect((await client.closed).code).toBe(CloseCode.messageTooBig);
    expect(server.metrics().drops.oversize).toBe(1);
    expect(server.metrics().serverCloses.oversize).toBe(1);
    await others.check();
  });

  it('LIM2: topics beyond maxTopicsPerConnection are refused and counted while the socket stays open', async () => {
    const { url, server } = await startServer({ maxTopicsPerConnection: 3 });
    const [greedy, publisher] = await Promise.all([connect(url), connect(url)]);
    greedy.send({ type: 'subscribe', topics: ['t1', 't2', 't3', 't4', 't5'] });
    // Re-subscribing a held topic does not use up the budget.
    greedy.send({ type: 'subscribe', topics: ['t1'] });
    await greedy.roundTrip();
    expect(server.metrics().drops.too_many_topics).toBe(2);

    for (const topic of ['t1', 't2', 't3', 't4', 't5']) {
      publisher.send({ type: 'publish', topic, data: topic });
    }
    await publisher.roundTrip();
    await greedy.roundTrip();
    expect(greedy.messages.filter((m) => m['type'] === 'publish').map((m) => m['data'])).toEqual([
      't1',
      't2',
      't3',
    ]);

    // Freeing a slot makes room for another topic.
    greedy.send({ type: 'unsubscribe', topics: ['t1'] });
    greedy.send({ type: 'subscribe', topics: ['t4'] });
    publisher.send({ type: 'publish', topic: 't4', data: 'now' });
    expect((await greedy.next((message) => message['data'] === 'now'))['clients']).toBe(1);
    expect(server.metrics().drops.too_many_topics).toBe(2);
  });

  it('LIM3: a topic longer than maxTopicLength closes the socket as malformed', async () => {
    const { url, server } = await startServer({ maxTopicLength: 16 });
    const client = await connect(url);
    client.send({ type: 'subscribe', topics: ['x'.repeat(16)] });
    await client.roundTrip();
    client.send({ type: 'subscribe', topics: ['x'.repeat(17)] });
    const closed = await client.closed;
    expect(closed).toEqual({
      code: CloseCode.invalidPayload,
      reason: 'malformed message: topics[0] max_length',
    });
    expect(server.metrics().drops.malformed).toBe(1);
  });

  it('LIM4: connections beyond maxConnectionsPerAddress are refused with HTTP 429 until one closes', async () => {
    const { url, server } = await startServer({ maxConnectionsPerAddress: 2 });
    const first = await connect(url);
    await connect(url);

    expect(await refusedUpgradeStatus(url)).toBe(429);
    expect(server.metrics().drops.too_many_connections).toBe(1);

    first.socket.close();
    await waitUntil(() => server.metrics().connectionsCurrent === 1);
    const replacement = await connect(url);
    await replacement.roundTrip();
  });

  it('LIM4: the total connection cap refuses with HTTP 429 too', async () => {
    const { url, server } = await startServer({ maxConnections: 1 });
    await connect(url);
    expect(await refusedUpgradeStatus(url)).toBe(429);
    expect(server.metrics().connectionsCurrent).toBe(1);
  });

  it('LIM5: publishes over the token bucket rate are dropped and counted; tokens refill with time', async () => {
    const clock = createManualClock();
    const { url, server } = await startServer({
      clock,
      publishBurst: 5,
      publishRatePerSecond: 2,
      rateLimitCloseAfterDrops: 1000,
    });
    const [flooder, listener] = await Promise.all([connect(url), connect(url)]);
    listener.send({ type: 'subscribe', topics: ['t'] });
    await listener.roundTrip();

    for (let index = 0; index < 8; index++)
      flooder.send({ type: 'publish', topic: 't', data: index });
    await flooder.roundTrip();
    await listener.roundTrip();
    expect(listener.publishes('t').map((message) => message['data'])).toEqual([0, 1, 2, 3, 4]);
    expect(server.metrics().drops.rate_limited).toBe(3);

    // One second at 2/s buys exactly two more publishes.
    clock.advance(1000);
    for (let index = 8; index < 11; index++)
      flooder.send({ type: 'publish', topic: 't', data: index });
    await flooder.roundTrip();
    await listener.roundTrip();
    expect(listener.publishes('t').map((message) => message['data'])).toEqual([
      0, 1, 2, 3, 4, 8, 9,
    ]);
    expect(server.metrics().drops.rate_limited).toBe(4);
    expect(flooder.socket.readyState).toBe(flooder.socket.OPEN);
  });

  it('LIM5: a connection that keeps publishing over its rate is closed with 1008', async () => {
    const clock = createManualClock();
    const { url, server } = await startServer({
      clock,
      publishBurst: 2,
      publishRatePerSecond: 1,
      rateLimitCloseAfterDrops: 10,
    });
    const others = await bystanders(url);
    const flooder = await connect(url);
    for (let index = 0; index < 50; index++)
      flooder.send({ type: 'publish', topic: 't', data: index });

    expect(await flooder.closed).toEqual({
      code: CloseCode.policyViolation,
      reason: 'publish rate limit exceeded',
    });
    expect(server.metrics().drops.rate_limited).toBe(10);
    expect(server.metrics().serverCloses.rate_limited).toBe(1);
    await others.check();
  });

  describe('LIM6: slow consumers', () => {
    const frameData = 'y'.repeat(16 * 1024);

    /** Publishes until the server reports dropping messages for the paused receiver. */
    async function floodUntilDrops(
      publisher: TestClient,
      server: { metrics(): { drops: { slow_consumer: number } } },
    ): Promise<number> {
      let sent = 0;
      // Kernel socket buffers absorb a few MB before the server's own queue grows at all.
      while (server.metrics().drops.slow_consumer === 0) {
        if (sent > 4000) throw new Error('the server never applied back-pressure');
        for (let index = 0; index < 20; index++) {
          publisher.send({ type: 'publish', topic: 'slow', data: frameData, seq: sent++ });
        }
        await publisher.roundTrip();
      }
      return sent;
    }

    const generousLimits = {
      maxBufferedBytes: 256 * 1024,
      publishBurst: 1_000_000,
      publishRatePerSecond: 1_000_000,
    };

    it('drops and counts messages to a receiver that stops reading, and delivers the rest in order', async () => {
      const { url, server } = await startServer({
        ...generousLimits,
        slowConsumerCloseAfterDrops: 1_000_000,
      });
      const [slow, publisher] = await Promise.all([connect(url), connect(url)]);
      slow.send({ type: 'subscribe', topics: ['slow'] });
      await slow.roundTrip();
      slow.socket.pause();

      let sent = await floodUntilDrops(publisher, server);
      for (let index = 0; index < 20; index++) {
        publisher.send({ type: 'publish', topic: 'slow', data: frameData, seq: sent++ });
      }
      await publisher.roundTrip();

      slow.socket.resume();
      // A pong would itself be dropped while the backlog drains, so wait for the flow to stop.
      await waitForQuiet(() => slow.publishes('slow').length);
      await slow.roundTrip();

      const delivered = slow.publishes('slow').length;
      const dropped = server.metrics().drops.slow_consumer;
      expect(dropped).toBeGreaterThan(0);
      expect(delivered).toBeLessThan(sent);
      expect(delivered + dropped).toBe(sent);
      // What arrived is in order: drops leave gaps, never reorderings.
      const seqs = slow.publishes('slow').map((message) => message['seq'] as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(slow.socket.readyState).toBe(slow.socket.OPEN);
    });

    it('cuts a receiver that stays behind for slowConsumerCloseAfterDrops messages; the publisher is unaffected', async () => {
      const { url, server } = await startServer({
        ...generousLimits,
        slowConsumerCloseAfterDrops: 3,
      });
      const [slow, publisher] = await Promise.all([connect(url), connect(url)]);
      slow.send({ type: 'subscribe', topics: ['slow'] });
      publisher.send({ type: 'subscribe', topics: ['elsewhere'] });
      await Promise.all([slow.roundTrip(), publisher.roundTrip()]);
      slow.socket.pause();

      await floodUntilDrops(publisher, server);
      for (let index = 0; index < 5; index++) {
        publisher.send({ type: 'publish', topic: 'slow', data: frameData });
      }
      await waitUntil(() => server.metrics().serverCloses.slow_consumer === 1);

      await waitUntil(() => server.metrics().connectionsCurrent === 1);
      expect(server.metrics().topicsCurrent).toBe(1);
      publisher.send({ type: 'publish', topic: 'elsewhere', data: 'still here' });
      await publisher.next((message) => message['data'] === 'still here');
    });
  });

  it('LIM7: a socket that does not answer heartbeat pings is cut; a live one stays', async () => {
    const { url, server } = await startServer({ heartbeatIntervalMs: 50 });
    const dead = await connect(url, { autoPong: false });
    const live = await connect(url);

    const closed = await dead.closed;
    // Cut without a close frame, as the peer is presumed gone.
    expect(closed.code).toBe(1006);
    expect(server.metrics().drops.heartbeat_timeout).toBe(1);
    expect(server.metrics().serverCloses.heartbeat_timeout).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 200));
    await live.roundTrip();
    expect(server.metrics().drops.heartbeat_timeout).toBe(1);
  });

  it('LIM7, L8: a socket that speaks every interval is never sent a WebSocket ping, nor cut', async () => {
    const { url, server } = await startServer({ heartbeatIntervalMs: 200 });
    // autoPong off: were it pinged, it would not answer and would be cut.
    const talker = await connect(url, { autoPong: false });
    let pingsReceived = 0;
    talker.socket.on('ping', () => pingsReceived++);
    for (let i = 0; i < 25; i++) {
      await talker.roundTrip();
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(pingsReceived).toBe(0);
    expect(server.metrics().drops.heartbeat_timeout).toBe(0);
    // Once it falls silent it is pinged, and cut for not answering.
    const closed = await talker.closed;
    expect(closed.code).toBe(1006);
    expect(pingsReceived).toBeGreaterThan(0);
    expect(server.metrics().drops.heartbeat_timeout).toBe(1);
  });

  it('LIM8: with an origin allow-list, other or missing origins are refused with HTTP 403', async () => {
    const { url, server } = await startServer({ allowedOrigins: ['https://pamoja.example'] });

    const allowed = await connect(url, { origin: 'https://pamoja.example' });
    await allowed.roundTrip();
    expect(await refusedUpgradeStatus(url, { origin: 'https://evil.example' })).toBe(403);
    expect(await refusedUpgradeStatus(url)).toBe(403);
    expect(server.metrics().drops.origin).toBe(2);
  });

  it('LIM8: without an allow-list any origin may connect', async () => {
    const { url } = await startServer();
    const client = await connect(url, { origin: 'https://anywhere.example' });
    await client.roundTrip();
  });
});
