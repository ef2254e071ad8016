import { afterEach, describe, expect, it } from 'vitest';
import { connect, startServer, stopAll, type TestClient } from './helpers';

afterEach(stopAll);

/**
 * Stand-ins for y-webrtc 10.3.0's SignalingConn, sending exactly what it sends: on connect a
 * subscribe for all its rooms, then an announce per room (src/y-webrtc.js, publishSignalingMessage);
 * a keep-alive `{type:'ping'}` (lib0/websocket); and signal messages addressed to one peer.
 * With a room password, `data` is a base64 string instead of an object.
 */
async function yWebrtcPeer(url: string, room: string, peerId: string): Promise<TestClient> {
  const client = await connect(url);
  client.send({ type: 'subscribe', topics: [room] });
  client.send({ type: 'publish', topic: room, data: { type: 'announce', from: peerId } });
  return client;
}

const announceFrom = (peerId: string) => (message: Record<string, unknown>) =>
  message['type'] === 'publish' &&
  typeof message['data'] === 'object' &&
  message['data'] !== null &&
  (message['data'] as Record<string, unknown>)['type'] === 'announce' &&
  (message['data'] as Record<string, unknown>)['from'] === peerId;

describe('interop with y-webrtc signaling clients', () => {
  it('two peers in one room see each other announce and can exchange a signal', async () => {
    const { url } = await startServer();
    const room = 'pamoja-3f9a0c';
    const alice = await yWebrtcPeer(url, room, 'peer-alice');
    // Alice subscribed first, so she is certain to be subscribed when Bob announces.
    await alice.roundTrip();
    const bob = await yWebrtcPeer(url, room, 'peer-bob');

    const bobsAnnounce = await alice.next(announceFrom('peer-bob'));
    expect(bobsAnnounce).toEqual({
      type: 'publish',
      topic: room,
      data: { type: 'announce', from: 'peer-bob' },
      clients: 2,
    });
    // y-webrtc ignores its own announce by `from`, but the reference server does echo it back.
    await bob.next(announceFrom('peer-bob'));

    // Alice answers Bob's announce by offering a connection; only the `to` peer acts on it.
    const signal = {
      type: 'signal',
      to: 'peer-bob',
      from: 'peer-alice',
      token: 0.731,
      signal: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' },
    };
    alice.send({ type: 'publish', topic: room, data: signal });
    const offer = await bob.next(
      (message) => (message['data'] as Record<string, unknown> | undefined)?.['type'] === 'signal',
    );
    expect(offer).toEqual({ type: 'publish', topic: room, data: signal, clients: 2 });
  });

  it('two peers see each other announce: the later one on joining, the earlier one when it re-announces', async () => {
    const { url } = await startServer();
    const room = 'room-late';
    const early = await yWebrtcPeer(url, room, 'early');
    await early.roundTrip();
    const late = await yWebrtcPeer(url, room, 'late');
    await early.next(announceFrom('late'));
    early.send({ type: 'publish', topic: room, data: { type: 'announce', from: 'early' } });
    expect((await late.next(announceFrom('early')))['clients']).toBe(2);
  });

  it('encrypted rooms: a base64 data string is relayed verbatim', async () => {
    const { url } = await startServer();
    const [alice, bob] = await Promise.all([connect(url), connect(url)]);
    alice.send({ type: 'subscribe', topics: ['sealed'] });
    bob.send({ type: 'subscribe', topics: ['sealed'] });
    await Promise.all([alice.roundTrip(), bob.roundTrip()]);
    const ciphertext = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
    alice.send({ type: 'publish', topic: 'sealed', data: ciphertext });
    expect(await bob.next((message) => message['type'] === 'publish')).toEqual({
      type: 'publish',
      topic: 'sealed',
      data: ciphertext,
      clients: 2,
    });
  });

  it('peers in different rooms never see each other', async () => {
    const { url } = await startServer();
    const alice = await yWebrtcPeer(url, 'room-a', 'alice');
    const bob = await yWebrtcPeer(url, 'room-b', 'bob');
    await alice.next(announceFrom('alice'));
    await bob.next(announceFrom('bob'));
    await Promise.all([alice.roundTrip(), bob.roundTrip()]);
    expect(alice.messages.some(announceFrom('bob'))).toBe(false);
    expect(bob.messages.some(announceFrom('alice'))).toBe(false);
  });
});
