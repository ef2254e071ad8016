import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DocId } from '../../../src/crdt/doc-id';
import { AssemblyBudget, Reassembler } from '../../../src/sync/chunking';
import {
  decodeFrame,
  decodeMessage,
  encodeMessage,
  messageToFrames,
  type Chunk,
  type Message,
} from '../../../src/sync/codec';
import { defaultLimits, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../../src/sync/limits';

const bounds = defaultLimits;

/** A reassembler of its own (budget, timers that never fire), as one session has. */
function reassemblerOf(maxMessageBytes: number, maxPending: number): Reassembler {
  return new Reassembler({
    maxMessageBytes,
    maxPending,
    budget: new AssemblyBudget(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    timers: { setTimeout: () => 0, clearTimeout: () => undefined },
    timeoutMs: 30_000,
    onTimeout: () => undefined,
  });
}
const id = (s: string) => s as DocId;

function roundTrip(message: Message): Message {
  const frames = messageToFrames(encodeMessage(message), 0);
  expect(frames).toHaveLength(1);
  const frame = decodeFrame(frames[0] as Uint8Array, bounds.maxMessageBytes);
  if (!frame.ok || frame.value.type !== 'message') throw new Error('not a whole message');
  const decoded = decodeMessage(frame.value.bytes, bounds);
  if (!decoded.ok) throw new Error(decoded.error.detail);
  return decoded.value;
}

const samples: Message[] = [
  {
    kind: 'hello',
    deviceId: 'dev-1',
    facility: '01020001',
    relay: false,
    nonce: 4_000_000_000,
    clockMs: 1_764_000_000_000,
    windowMessages: 128,
    windowBytes: 1_048_576,
    extrasTotal: 5,
    extras: [id('patient:01020002000001'), id('patient:01020002000002')],
  },
  {
    kind: 'hello',
    deviceId: 'relay.box',
    facility: '',
    relay: true,
    nonce: 0,
    clockMs: 0,
    windowMessages: 1,
    windowBytes: 1,
    extrasTotal: 0,
    extras: [],
  },
  { kind: 'credit', messages: 3, bytes: 70_000 },
  { kind: 'interest', added: [id('patient:01020003000009')] },
  {
    kind: 'reconcile',
    ranges: [
      { upper: 'patient:0102', mode: { type: 'skip' } },
      {
        upper: 'patient:0103',
        mode: { type: 'fingerprint', count: 12, fingerprint: new Uint8Array(16).fill(7) },
      },
      {
        upper: null,
        mode: {
          type: 'list',
          items: [{ docId: id('register:01030001'), digest: new Uint8Array(8).fill(1) }],
        },
      },
    ],
  },
  { kind: 'sync-step1', docId: id('network'), reply: true, stateVector: new Uint8Array([1, 5, 3]) },
  { kind: 'sync-step2', docId: id('register:01020001'), changes: [new Uint8Array([0, 0])] },
  { kind: 'sync-step2', docId: id('register:01020001'), changes: [] },
  {
    kind: 'update',
    docId: id('patient:01020001000001'),
    changes: [new Uint8Array([9, 9]), new Uint8Array([1, 2, 3])],
  },
  {
    kind: 'request',
    docId: id('patient:01020001000001'),
    stateVector: new Uint8Array([0]),
    user: 'Neema Mushi',
  },
  { kind: 'not-held', docId: id('patient:01020001000001') },
  { kind: 'close', reason: 'flood' },
];

describe('codec', () => {
  it.each(samples.map((m) => [m.kind, m] as const))('F4 %s round-trips byte for byte', (_k, m) => {
    expect(roundTrip(m)).toEqual(m);
  });

  it('F1 every frame starts with the protocol version (4); other versions are refused', () => {
    const [frame] = messageToFrames(encodeMessage({ kind: 'not-held', docId: id('network') }), 0);
    expect(frame?.[0]).toBe(PROTOCOL_VERSION);
    expect(PROTOCOL_VERSION).toBe(4);
    for (const version of [3, 5]) {
      const other = (frame as Uint8Array).slice();
      other[0] = version;
      const decoded = decodeFrame(other, bounds.maxMessageBytes);
      expect(decoded.ok || decoded.error.reason).toBe('unsupported-version');
    }
  });

  it('F4 trailing bytes, unknown kinds and bad doc ids are refused with a reason', () => {
    const good = encodeMessage({ kind: 'not-held', docId: id('network') });
    const trailing = new Uint8Array([...good, 0]);
    expect(decodeMessage(trailing, bounds)).toMatchObject({
      ok: false,
      error: { reason: 'malformed-frame' },
    });
    expect(decodeMessage(new Uint8Array([0x55]), bounds)).toMatchObject({ ok: false });
    const bad = encodeMessage({ kind: 'not-held', docId: id('patient:123') });
    expect(decodeMessage(bad, bounds)).toMatchObject({
      ok: false,
      error: { reason: 'invalid-doc-id' },
    });
    const prototype = encodeMessage({ kind: 'not-held', docId: id('__proto__') });
    expect(decodeMessage(prototype, bounds)).toMatchObject({
      ok: false,
      error: { reason: 'invalid-doc-id' },
    });
  });

  it('F3 frames above 16 KiB are refused', () => {
    const big = new Uint8Array(MAX_FRAME_BYTES + 1);
    big[0] = PROTOCOL_VERSION;
    expect(decodeFrame(big, bounds.maxMessageBytes)).toMatchObject({
      ok: false,
      error: { reason: 'too-large' },
    });
  });

  it('F7/F8 a large message is chunked into frames of at most 16 KiB and reassembled in any order, duplicates ignored', () => {
    const update = new Uint8Array(100_000).map((_, i) => (i * 31) % 251);
    const message: Message = { kind: 'update', docId: id('network'), changes: [update] };
    const frames = messageToFrames(encodeMessage(message), 42);
    expect(frames.length).toBe(7);
    for (const frame of frames) expect(frame.length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const chunks = frames.map((f) => {
      const d = decodeFrame(f, bounds.maxMessageBytes);
      if (!d.ok || d.value.type !== 'chunk') throw new Error('expected a chunk');
      return d.value.chunk;
    });
    const shuffled: Chunk[] = [
      chunks[3],
      chunks[0],
      chunks[0],
      chunks[6],
      chunks[1],
      chunks[5],
      chunks[2],
      chunks[4],
    ].map((c) => c as Chunk);
    const reassembler = reassemblerOf(bounds.maxMessageBytes, 4);
    const results = shuffled.map((c) => reassembler.add(c));
    const complete = results.filter((r) => r.ok && r.value !== null);
    expect(complete).toHaveLength(1);
    const bytes = (complete[0] as { ok: true; value: Uint8Array }).value;
    const decoded = decodeMessage(bytes, bounds);
    if (!decoded.ok || decoded.value.kind !== 'update') throw new Error('not reassembled');
    expect(decoded.value.changes).toHaveLength(1);
    // Compared as one buffer: element-wise deep equality of 100 KB is needlessly slow.
    expect(Buffer.from(decoded.value.changes[0] as Uint8Array).equals(Buffer.from(update))).toBe(
      true,
    );
    // A late duplicate of a finished message starts nothing new.
    expect(reassembler.add(chunks[2] as Chunk)).toEqual({ ok: true, value: null });
  });

  it('F8 reassembly is bounded in total size and in messages at once', () => {
    const small = reassemblerOf(40_000, 2);
    const chunk = (messageId: number, index: number): Chunk => ({
      messageId,
      index,
      count: 4,
      payload: new Uint8Array(16_000),
    });
    expect(small.add(chunk(1, 0)).ok).toBe(true);
    expect(small.add(chunk(1, 1)).ok).toBe(true);
    expect(small.add(chunk(1, 2))).toMatchObject({ ok: false, error: { reason: 'too-large' } });
    const few = reassemblerOf(1_000_000, 2);
    expect(few.add(chunk(1, 0)).ok).toBe(true);
    expect(few.add(chunk(2, 0)).ok).toBe(true);
    expect(few.add(chunk(3, 0))).toMatchObject({ ok: false, error: { reason: 'flood' } });
    expect(few.add({ ...chunk(1, 1), count: 5 })).toMatchObject({
      ok: false,
      error: { reason: 'malformed-frame' },
    });
  });

  it('SC22 sync-step2 and update carry a list of changes; an empty change is refused', () => {
    const changes = [
      new Uint8Array([0, 0]),
      new Uint8Array([1, 2, 3, 4]),
      new Uint8Array(300).fill(7),
    ];
    const docId = id('patient:01020001000001');
    for (const kind of ['sync-step2', 'update'] as const) {
      for (const count of [0, 1, 3]) {
        const message: Message = { kind, docId, changes: changes.slice(0, count) };
        const decoded = roundTrip(message);
        expect(decoded).toEqual(message);
        if (decoded.kind !== kind) throw new Error(`decoded as ${decoded.kind}`);
        expect(decoded.changes).toHaveLength(count);
      }
      // A change of one byte cannot be a Yjs update (the empty one is two bytes): refused,
      // alone or after a good change.
      for (const list of [[new Uint8Array([0])], [changes[0] as Uint8Array, new Uint8Array([0])]]) {
        const bad = encodeMessage({ kind, docId, changes: list });
        expect(decodeMessage(bad, bounds), `${kind} with ${list.length} changes`).toMatchObject({
          ok: false,
          error: { reason: 'malformed-frame' },
        });
      }
      // Neither is a change of no bytes at all.
      const empty = encodeMessage({ kind, docId, changes: [new Uint8Array(0)] });
      expect(decodeMessage(empty, bounds).ok).toBe(false);
    }
  });

  it('E1 decoding arbitrary bytes never throws (fixed-seed fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const frame = decodeFrame(bytes, bounds.maxMessageBytes);
        if (frame.ok && frame.value.type === 'message') decodeMessage(frame.value.bytes, bounds);
        decodeMessage(bytes, bounds);
      }),
      { seed: 1234, numRuns: 3_000 },
    );
  });

  it('E1 every truncation of a valid message is refused, never misread', () => {
    for (const message of samples) {
      const bytes = encodeMessage(message);
      for (let cut = 0; cut < bytes.length; cut++) {
        expect(
          decodeMessage(bytes.subarray(0, cut), bounds).ok,
          `${message.kind} cut at ${cut}`,
        ).toBe(false);
      }
    }
  });
});
