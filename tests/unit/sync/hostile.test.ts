import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocId } from '../../../src/crdt/doc-id';
import { StorageError } from '../../../src/crdt/ports';
import { encodeMessage, messageToFrames, type Message } from '../../../src/sync/codec';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../../src/sync/limits';
import type { Channel } from '../../../src/sync/ports';
import { isCloseReason } from '../../../src/sync/reasons';
import { createMemoryNetwork, type MemoryNetwork } from '../../../src/sync/transports/memory';
import {
  FAC_A,
  FAC_B,
  createReplica,
  helloDefaults,
  patient,
  register,
  snapshotOf,
  sortedVisits,
  writeVisit,
  type Replica,
} from './harness';

const SOAK = process.env.SOAK === '1';
const SEED = process.env.SEED ? Number(process.env.SEED) : 4242;

/** A peer that speaks raw frames instead of running an engine. */
function rawPeer(net: MemoryNetwork, id: string) {
  const state = { channel: undefined as Channel | undefined, closes: [] as string[], received: 0 };
  net.node(id).onPeerConnected((_peer, channel) => {
    state.channel = channel;
    channel.onMessage(() => state.received++);
    channel.onClose((reason) => state.closes.push(reason));
  });
  const send = (message: Message) => {
    for (const frame of messageToFrames(encodeMessage(message), 0)) state.channel?.send(frame);
  };
  const hello = () =>
    send({
      kind: 'hello',
      deviceId: `${id}-device`,
      facility: FAC_A,
      relay: false,
      nonce: 1,
      ...helloDefaults,
      extras: [],
    });
  return { state, send, hello, sendRaw: (bytes: Uint8Array) => state.channel?.send(bytes) };
}

function everything(victim: Replica): string {
  return JSON.stringify(
    [...victim.host.holdings()]
      .sort()
      .map((id) => [
        id,
        snapshotOf(victim.host, id),
        [...Y.encodeStateVector(victim.host.doc(id))],
      ]),
  );
}

function lastClose(victim: Replica): unknown {
  const entries = victim.logger.entries;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i]?.event === 'sync.session-closed') return entries[i]?.details.reason;
  }
  return undefined;
}

async function setup() {
  const net = createMemoryNetwork({ seed: 31 });
  const victim = createReplica(net, 'victim', FAC_A);
  const friend = createReplica(net, 'friend', FAC_A);
  writeVisit(victim.host, patient(FAC_A, 1), 'local record');
  net.link('victim', 'friend');
  const evil = rawPeer(net, 'evil');
  net.link('victim', 'evil');
  await net.flush();
  return { net, victim, friend, evil };
}

/** After the attack: the session is cut with a typed reason, and the victim still syncs with others. */
async function expectCutOff(
  ctx: Awaited<ReturnType<typeof setup>>,
  reason: string,
  before: string,
) {
  const { net, victim, friend, evil } = ctx;
  await net.flush();
  expect(lastClose(victim)).toBe(reason);
  expect(evil.state.closes.length).toBeGreaterThan(0);
  expect(net.receiverErrors).toEqual([]);
  expect(everything(victim)).toBe(before);
  writeVisit(friend.host, patient(FAC_A, 1), 'friend still syncs');
  await net.flush();
  expect(sortedVisits(victim.host, patient(FAC_A, 1))).toContain('friend still syncs');
}

describe('hostile peers', () => {
  it('E2 data before hello closes the session as unexpected-message', async () => {
    const ctx = await setup();
    const before = everything(ctx.victim);
    ctx.evil.send({ kind: 'update', docId: patient(FAC_A, 1), changes: [new Uint8Array([0, 0])] });
    await expectCutOff(ctx, 'unexpected-message', before);
  });

  it('E1 an unknown protocol version closes the session', async () => {
    const ctx = await setup();
    const before = everything(ctx.victim);
    ctx.evil.sendRaw(new Uint8Array([PROTOCOL_VERSION + 1, 1, 2, 3]));
    await expectCutOff(ctx, 'unsupported-version', before);
  });

  it('E1 a frame above 16 KiB closes the session as too-large', async () => {
    const ctx = await setup();
    const before = everything(ctx.victim);
    ctx.evil.hello();
    const big = new Uint8Array(MAX_FRAME_BYTES + 100);
    big[0] = PROTOCOL_VERSION;
    ctx.evil.sendRaw(big);
    await expectCutOff(ctx, 'too-large', before);
  });

  it('E3 a truncated Yjs update is refused whole: nothing of it is applied', async () => {
    const ctx = await setup();
    const before = everything(ctx.victim);
    const source = new Y.Doc();
    source.getArray('visits').push(['one', 'two', 'three']);
    source.getMap('demographics').set('givenName', 'Juma');
    const full = Y.encodeStateAsUpdate(source);
    ctx.evil.hello();
    ctx.evil.send({
      kind: 'update',
      docId: patient(FAC_A, 1),
      changes: [full.subarray(0, full.length - 3)],
    });
    await expectCutOff(ctx, 'invalid-update', before);
  });

  it('E4 a peer that pushes a document nobody asked for is cut off; the doc is not stored', async () => {
    const ctx = await setup();
    const before = everything(ctx.victim);
    const other = new Y.Doc();
    other.getArray('visits').push(['not yours']);
    ctx.evil.hello();
    ctx.evil.send({
      kind: 'update',
      docId: patient(FAC_B, 5),
      changes: [Y.encodeStateAsUpdate(other)],
    });
    await expectCutOff(ctx, 'unwanted-doc', before);
    expect(ctx.victim.host.has(patient(FAC_B, 5))).toBe(false);
  });

  it('E4 a peer that lists a document as held and then disowns it is cut off', async () => {
    const ctx = await setup();
    const before = everything(ctx.victim);
    ctx.evil.hello();
    await ctx.net.flush();
    ctx.evil.send({
      kind: 'reconcile',
      ranges: [
        {
          upper: null,
          mode: { type: 'list', items: [{ docId: patient(FAC_A, 9), digest: new Uint8Array(8) }] },
        },
      ],
    });
    await ctx.net.flush();
    ctx.evil.send({ kind: 'not-held', docId: patient(FAC_A, 9) });
    await expectCutOff(ctx, 'holdings-mismatch', before);
  });

  it('E5 a peer that floods requests is cut off', async () => {
    const ctx = await setup();
    const before = everything(ctx.victim);
    ctx.evil.hello();
    for (let i = 0; i < 400; i++) {
      ctx.evil.send({
        kind: 'request',
        docId: patient(FAC_A, i),
        stateVector: new Uint8Array([0]),
        user: '',
      });
    }
    await expectCutOff(ctx, 'flood', before);
  });

  it('E5/H2 a peer that declares more extras in one message than allowed is cut off', async () => {
    const net = createMemoryNetwork({ seed: 32 });
    const victim = createReplica(net, 'victim', FAC_A, { limits: { maxIdsPerMessage: 3 } });
    const evil = rawPeer(net, 'evil');
    net.link('victim', 'evil');
    await net.flush();
    evil.hello();
    evil.send({ kind: 'interest', added: [1, 2, 3, 4].map((i) => patient(FAC_B, i)) });
    await net.flush();
    expect(lastClose(victim)).toBe('flood');
  });

  it('E7 a failing host call ends only that session, with host-error', async () => {
    const ctx = await setup();
    const before = everything(ctx.victim);
    const original = ctx.victim.host.changesSince.bind(ctx.victim.host);
    ctx.victim.host.changesSince = (docId, sv) =>
      docId === patient(FAC_A, 1)
        ? Promise.reject(new Error('disk unavailable'))
        : original(docId, sv);
    ctx.evil.hello();
    ctx.evil.send({
      kind: 'request',
      docId: patient(FAC_A, 1),
      stateVector: new Uint8Array([0]),
      user: '',
    });
    await ctx.net.flush();
    ctx.victim.host.changesSince = original;
    await expectCutOff(ctx, 'host-error', before);
  });

  it("E7 a full disk while storing a peer's update ends the session with host-error, not blame", async () => {
    const ctx = await setup();
    const before = everything(ctx.victim);
    const original = ctx.victim.host.applyRemoteChanges.bind(ctx.victim.host);
    ctx.victim.host.applyRemoteChanges = () =>
      Promise.reject(new StorageError('quota-exceeded', 'the device is full'));
    const source = new Y.Doc();
    source.getArray('visits').push(['recorded elsewhere']);
    ctx.evil.hello();
    ctx.evil.send({
      kind: 'update',
      docId: patient(FAC_A, 1),
      changes: [Y.encodeStateAsUpdate(source)],
    });
    await ctx.net.flush();
    ctx.victim.host.applyRemoteChanges = original;
    await expectCutOff(ctx, 'host-error', before);
  });

  it('E6 the reason travels to the peer before the channel closes', async () => {
    const ctx = await setup();
    let reason = '';
    ctx.evil.state.channel?.onMessage((frame) => {
      if (frame[1] === 0x7f) reason = new TextDecoder().decode(frame.subarray(3));
    });
    ctx.evil.sendRaw(new Uint8Array([PROTOCOL_VERSION, 0x55]));
    await ctx.net.flush();
    expect(reason).toBe('malformed-frame');
  });
});

describe('fuzz: random and mutated frames never throw, never change data, close with a typed reason', () => {
  const baseMessages: Message[] = [
    {
      kind: 'hello',
      deviceId: 'evil-device',
      facility: FAC_A,
      relay: false,
      nonce: 5,
      ...helloDefaults,
      extras: [],
    },
    { kind: 'interest', added: [patient(FAC_B, 1)] },
    {
      kind: 'reconcile',
      ranges: [
        { upper: null, mode: { type: 'fingerprint', count: 3, fingerprint: new Uint8Array(16) } },
      ],
    },
    {
      kind: 'sync-step1',
      docId: register(FAC_A),
      reply: true,
      stateVector: new Uint8Array([1, 7, 3]),
    },
    { kind: 'request', docId: patient(FAC_A, 1), stateVector: new Uint8Array([0]), user: '' },
    { kind: 'not-held', docId: 'network' as DocId },
    { kind: 'update', docId: patient(FAC_B, 1), changes: [new Uint8Array([0, 0])] },
  ];
  const baseFrames = baseMessages.map((m) => messageToFrames(encodeMessage(m), 0)[0] as Uint8Array);
  const frameArb = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.tuple(fc.constantFrom(...baseFrames), fc.nat(), fc.nat(255)).map(([frame, at, value]) => {
      const copy = frame.slice();
      copy[at % copy.length] = value;
      return copy;
    }),
    fc
      .tuple(fc.constantFrom(...baseFrames), fc.nat())
      .map(([frame, cut]) => frame.subarray(0, cut % frame.length)),
    fc.constantFrom(...baseFrames),
  );

  it(
    `E1-E5 fuzz (seed ${SEED}, replay with SEED=${SEED})`,
    async () => {
      const net = createMemoryNetwork({ seed: 33 });
      const victim = createReplica(net, 'victim', FAC_A);
      writeVisit(victim.host, patient(FAC_A, 1), 'local record');
      writeVisit(victim.host, register(FAC_A), 'register entry');
      const evil = rawPeer(net, 'evil');
      net.link('victim', 'evil');
      await net.flush();
      const before = everything(victim);
      const runs = SOAK ? 100_000 : 5_000;
      await fc.assert(
        fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 6 }), async (frames) => {
          net.reconnect();
          for (const frame of frames) evil.sendRaw(frame);
          while (net.step());
          await victim.engine.whenIdle();
          await victim.engine.whenIdle();
          expect(net.receiverErrors).toEqual([]);
          const reason = lastClose(victim);
          if (reason !== undefined) expect(isCloseReason(reason)).toBe(true);
          expect(everything(victim)).toBe(before);
          // Close whatever is left so the next case starts a fresh session.
          evil.state.channel?.close('next case');
          while (net.step());
        }),
        { seed: SEED, numRuns: runs },
      );
      expect(victim.logger.entries.some((e) => e.event === 'sync.session-closed')).toBe(true);
    },
    SOAK ? 1_800_000 : 60_000,
  );
});
