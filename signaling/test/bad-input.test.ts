import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../server';
import { connect, startServer, stopAll, within } from './helpers';

afterEach(stopAll);

const deeplyNested = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;

/** Each frame must close the sender's socket with the given code and nothing else. */
const badFrames: readonly {
  name: string;
  frame: string | Buffer;
  binary?: boolean;
  code: number;
  reason: string;
}[] = [
  { name: 'not JSON', frame: 'hello{', code: 1007, reason: 'malformed message: $ json' },
  { name: 'empty text', frame: '', code: 1007, reason: 'malformed message: $ json' },
  { name: 'a JSON array', frame: '[1,2]', code: 1007, reason: 'malformed message: $ object' },
  { name: 'JSON null', frame: 'null', code: 1007, reason: 'malformed message: $ object' },
  {
    name: 'a JSON string',
    frame: '"subscribe"',
    code: 1007,
    reason: 'malformed message: $ object',
  },
  { name: 'a JSON number', frame: '42', code: 1007, reason: 'malformed message: $ object' },
  {
    name: 'no type',
    frame: '{"topics":["a"]}',
    code: 1007,
    reason: 'malformed message: type string',
  },
  {
    name: 'a numeric type',
    frame: '{"type":1}',
    code: 1007,
    reason: 'malformed message: type string',
  },
  {
    name: 'subscribe with topics as a string',
    frame: '{"type":"subscribe","topics":"a"}',
    code: 1007,
    reason: 'malformed message: topics array',
  },
  {
    name: 'subscribe without topics',
    frame: '{"type":"subscribe"}',
    code: 1007,
    reason: 'malformed message: topics array',
  },
  {
    name: 'subscribe with a numeric topic',
    frame: '{"type":"subscribe","topics":["a",7]}',
    code: 1007,
    reason: 'malformed message: topics[1] string',
  },
  {
    name: 'unsubscribe with an object topic',
    frame: '{"type":"unsubscribe","topics":[{}]}',
    code: 1007,
    reason: 'malformed message: topics[0] string',
  },
  {
    name: 'subscribe with an empty topic',
    frame: '{"type":"subscribe","topics":[""]}',
    code: 1007,
    reason: 'malformed message: topics[0] non_empty',
  },
  {
    name: 'publish without topic',
    frame: '{"type":"publish","data":{}}',
    code: 1007,
    reason: 'malformed message: topic string',
  },
  {
    name: 'publish with a numeric topic',
    frame: '{"type":"publish","topic":5}',
    code: 1007,
    reason: 'malformed message: topic string',
  },
  {
    name: '10 000 levels of nested arrays',
    frame: deeplyNested,
    code: 1007,
    reason: 'malformed message: $ max_depth',
  },
  {
    name: 'a publish carrying 10 000 levels of nesting',
    frame: `{"type":"publish","topic":"t","data":${deeplyNested}}`,
    code: 1007,
    reason: 'malformed message: $ max_depth',
  },
  {
    name: 'a binary frame',
    frame: Buffer.from(JSON.stringify({ type: 'ping' })),
    binary: true,
    code: CloseCode.unsupportedData,
    reason: 'binary frames are not supported',
  },
  {
    // ws validates UTF-8 itself and closes with 1007 before the message reaches the server.
    name: 'a text frame that is not UTF-8',
    frame: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    code: CloseCode.invalidPayload,
    reason: '',
  },
  {
    name: 'a huge frame',
    frame: JSON.stringify({ type: 'publish', topic: 't', data: 'z'.repeat(200_000) }),
    code: CloseCode.messageTooBig,
    reason: '',
  },
];

describe('BAD1: malformed input closes only the sender', () => {
  it.each(badFrames)('$name', async ({ frame, binary, code, reason }) => {
    const { url, server } = await startServer({ maxFrameBytes: 64 * 1024 });
    const [listener, talker, offender] = await Promise.all([
      connect(url),
      connect(url),
      connect(url),
    ]);
    listener.send({ type: 'subscribe', topics: ['room'] });
    offender.send({ type: 'subscribe', topics: ['room'] });
    await Promise.all([listener.roundTrip(), offender.roundTrip()]);

    offender.sendRaw(frame, binary);
    expect(await within(offender.closed, 5_000, 'the offender was closed')).toEqual({
      code,
      reason,
    });

    // The offender has left its topics and everyone else is served as before.
    talker.send({ type: 'publish', topic: 'room', data: 'after' });
    const received = await listener.next((message) => message['data'] === 'after');
    expect(received['clients']).toBe(1);
    const { drops, connectionsCurrent } = server.metrics();
    expect(drops.malformed + drops.oversize).toBe(1);
    expect(connectionsCurrent).toBe(2);
  });

  it('a deeply nested array inside a string is just text and is delivered', async () => {
    const { url } = await startServer();
    const client = await connect(url);
    client.send({ type: 'subscribe', topics: ['t'] });
    client.send({ type: 'publish', topic: 't', data: deeplyNested });
    const received = await client.next((message) => message['type'] === 'publish');
    expect(received['data']).toBe(deeplyNested);
  });

  it('a burst of bad clients never takes the server down', async () => {
    const { url, server } = await startServer();
    const offenders = await Promise.all(badFrames.map(() => connect(url)));
    offenders.forEach((offender, index) => {
      const bad = badFrames[index];
      if (bad) offender.sendRaw(bad.frame, bad.binary);
    });
    await within(
      Promise.all(offenders.map((offender) => offender.closed)),
      5_000,
      'every offender was closed',
    );

    const survivor = await connect(url);
    await survivor.roundTrip();
    const { drops } = server.metrics();
    expect(drops.malformed + drops.oversize).toBe(badFrames.length);
  });
});
