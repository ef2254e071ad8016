import { afterEach, describe, expect, it } from 'vitest';
import { connect, startServer, stopAll, waitUntil } from './helpers';

afterEach(stopAll);

describe('signaling protocol', () => {
  it('SIG1: a publish reaches every subscriber of its topic, the publisher included, with the subscriber count', async () => {
    const { url } = await startServer();
    const [alice, bob, carol] = await Promise.all([connect(url), connect(url), connect(url)]);
    for (const client of [alice, bob, carol])
      client.send({ type: 'subscribe', topics: ['room-1'] });
    await Promise.all([alice.roundTrip(), bob.roundTrip(), carol.roundTrip()]);

    const sent = { type: 'publish', topic: 'room-1', data: { type: 'announce', from: 'alice' } };
    alice.send(sent);

    for (const client of [alice, bob, carol]) {
      const received = await client.next((message) => message['type'] === 'publish');
      expect(received).toEqual({ ...sent, clients: 3 });
    }
  });

  it('SIG1: a publisher that is not subscribed is not counted and gets nothing back', async () => {
    const { url } = await startServer();
    const [subscriber, outsider] = await Promise.all([connect(url), connect(url)]);
    subscriber.send({ type: 'subscribe', topics: ['room-1'] });
    await subscriber.roundTrip();

    outsider.send({ type: 'publish', topic: 'room-1', data: 'c2VjcmV0' });

    const received = await subscriber.next((message) => message['type'] === 'publish');
    expect(received).toEqual({ type: 'publish', topic: 'room-1', data: 'c2VjcmV0', clients: 1 });
    await outsider.roundTrip();
    expect(outsider.publishes('room-1')).toEqual([]);
  });

  it('SIG1: fields the server does not know are passed through untouched', async () => {
    const { url } = await startServer();
    const client = await connect(url);
    client.send({ type: 'subscribe', topics: ['t'] });
    const sent = {
      type: 'publish',
      topic: 't',
      data: {
        to: 'b',
        from: 'a',
        type: 'signal',
        token: 0.42,
        signal: { type: 'offer', sdp: 'v=0\r\n' },
      },
      extra: [1, 'two', null, { three: true }],
    };
    client.send(sent);
    expect(await client.next((message) => message['type'] === 'publish')).toEqual({
      ...sent,
      clients: 1,
    });
  });

  it('SIG2: a client gets publishes for each of its topics and none for topics it is not in', async () => {
    const { url } = await startServer();
    const [both, onlyA, publisher] = await Promise.all([connect(url), connect(url), connect(url)]);
    both.send({ type: 'subscribe', topics: ['a', 'b'] });
    onlyA.send({ type: 'subscribe', topics: ['a'] });
    await Promise.all([both.roundTrip(), onlyA.roundTrip()]);

    publisher.send({ type: 'publish', topic: 'a', data: 'to-a' });
    publisher.send({ type: 'publish', topic: 'b', data: 'to-b' });
    await both.next((message) => message['data'] === 'to-b');
    // `both` has the later message, so the server has finished fanning out both publishes.
    await onlyA.roundTrip();

    expect(both.publishes('a').map((message) => message['clients'])).toEqual([2]);
    expect(both.publishes('b').map((message) => message['clients'])).toEqual([1]);
    expect(onlyA.publishes('a')).toHaveLength(1);
    expect(onlyA.publishes('b')).toEqual([]);
  });

  it('SIG2: after unsubscribing a topic a client gets nothing more from it but keeps its other topics', async () => {
    const { url } = await startServer();
    const [leaver, stayer, publisher] = await Promise.all([
      connect(url),
      connect(url),
      connect(url),
    ]);
    leaver.send({ type: 'subscribe', topics: ['a', 'b'] });
    stayer.send({ type: 'subscribe', topics: ['a'] });
    leaver.send({ type: 'unsubscribe', topics: ['a', 'never-subscribed'] });
    await Promise.all([leaver.roundTrip(), stayer.roundTrip()]);

    publisher.send({ type: 'publish', topic: 'a', data: 1 });
    publisher.send({ type: 'publish', topic: 'b', data: 2 });
    const toStayer = await stayer.next((message) => message['topic'] === 'a');
    await leaver.next((message) => message['topic'] === 'b');

    expect(toStayer['clients']).toBe(1);
    expect(leaver.publishes('a')).toEqual([]);
  });

  it('SIG3: ping is answered with pong', async () => {
    const { url, server } = await startServer();
    const client = await connect(url);
    client.send({ type: 'ping' });
    expect(await client.next((message) => message['type'] === 'pong')).toEqual({ type: 'pong' });
    expect(server.metrics().messagesSent.pong).toBe(1);
  });

  it('SIG4: a closed connection leaves its topics, and empty topics are forgotten', async () => {
    const { url, server } = await startServer();
    const [stays, leaves] = await Promise.all([connect(url), connect(url)]);
    stays.send({ type: 'subscribe', topics: ['shared'] });
    leaves.send({ type: 'subscribe', topics: ['shared', 'own'] });
    await Promise.all([stays.roundTrip(), leaves.roundTrip()]);
    expect(server.metrics().topicsCurrent).toBe(2);

    leaves.socket.close();
    await leaves.closed;
    await waitUntil(() => server.metrics().connectionsCurrent === 1);

    expect(server.metrics().topicsCurrent).toBe(1);
    stays.send({ type: 'publish', topic: 'shared', data: 'x' });
    expect((await stays.next((message) => message['type'] === 'publish'))['clients']).toBe(1);
  });

  it('SIG5: a message of an unknown type is ignored and the connection stays usable', async () => {
    const { url, server } = await startServer();
    const client = await connect(url);
    client.send({ type: 'hello', topics: 5 });
    await client.roundTrip();
    expect(server.metrics().messagesReceived.other).toBe(1);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });
});
