/**
 * §16 flow control, F8 device-wide chunk memory, FC9 bounded asks, H2 extras in batches and
 * K1–K2 clock offsets: what a peer (or a user looking at the Network screen) would notice.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocId } from '../../../src/crdt/doc-id';
import type { RemoteOutcome } from '../../../src/crdt/policy/refusal';
import { createSeededRandom } from '../../../src/lib/deps';
import {
  decodeFrame,
  decodeMessage,
  encodeMessage,
  messageToFrames,
  type Message,
} from '../../../src/sync/codec';
import { createSyncEngine } from '../../../src/sync/engine';
import { defaultLimits, type SyncLimits } from '../../../src/sync/limits';
import { createMemoryHost } from '../../../src/sync/memory-host';
import type { Channel, ReplicaHost } from '../../../src/sync/ports';
import { createMemoryNetwork, type MemoryNetwork } from '../../../src/sync/transports/memory';
import {
  FAC_A,
  FAC_B,
  FAC_C,
  captureLogger,
  createReplica,
  helloDefaults,
  manualTimers,
  patient,
  sortedVisits,
  writeVisit,
  type Replica,
} from './harness';

const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc());

/** A peer that speaks raw frames; it records every message the engine sends it. */
function rawPeer(net: MemoryNetwork, id: string) {
  const state = {
    channel: undefined as Channel | undefined,
    closes: [] as string[],
    messages: [] as Message[],
  };
  let messageId = 0;
  net.node(id).onPeerConnected((_peer, channel) => {
    state.channel = channel;
    channel.onMessage((frame) => {
      const decoded = decodeFrame(frame, defaultLimits.maxMessageBytes);
      if (!decoded.ok || decoded.value.type !== 'message') return;
      const message = decodeMessage(decoded.value.bytes, {
        ...defaultLimits,
        maxIdsPerMessage: 1_000_000,
      });
      if (message.ok) state.messages.push(message.value);
    });
    channel.onClose((reason) => state.closes.push(reason));
  });
  const frames = (message: Message) => messageToFrames(encodeMessage(message), messageId++);
  const send = (message: Message) => {
    for (const frame of frames(message)) state.channel?.send(frame);
  };
  const hello = (extra: Partial<Message & { kind: 'hello' }> = {}) =>
    send({
      kind: 'hello',
      deviceId: `${id}-device`,
      facility: FAC_A,
      relay: false,
      nonce: 1,
      ...helloDefaults,
      extras: [],
      ...extra,
    });
  const sent = (kind: Message['kind']) => state.messages.filter((m) => m.kind === kind);
  return { state, send, hello, frames, sent };
}

function closesOf(replica: Replica): string[] {
  return replica.logger.entries
    .filter((e) => e.event === 'sync.session-closed')
    .map((e) => String(e.details.reason));
}

/** A replica whose host applies remote updates only while the gate is open. */
function gatedReplica(net: MemoryNetwork, id: string, limits: Partial<SyncLimits>) {
  const host = createMemoryHost();
  let open = false;
  const waiters: (() => void)[] = [];
  const gated: ReplicaHost = {
    ...host,
    async applyRemoteChanges(docId, changes, from): Promise<RemoteOutcome[]> {
      while (!open) await new Promise<void>((resolve) => waiters.push(resolve));
      return host.applyRemoteChanges(docId, changes, from);
    },
  };
  const timers = manualTimers();
  const engine = createSyncEngine({
    host: gated,
    deviceId: id,
    facility: FAC_A,
    transports: [net.node(id)],
    timers,
    clock: { now: () => timers.now() },
    random: createSeededRandom(99),
    limits,
  });
  return {
    host,
    engine,
    release() {
      open = true;
      for (const resolve of waiters.splice(0)) resolve();
    },
  };
}

/** Device A holding `docs` patient documents with one visit each, linked to a raw peer. */
async function holderAndRawPeer(seed: number, docs: number) {
  const net = createMemoryNetwork({ seed });
  const a = createReplica(net, 'dev-a', FAC_A);
  for (let i = 0; i < docs; i++) writeVisit(a.host, patient(FAC_A, i), `v${i}`);
  const peer = rawPeer(net, 'peer');
  net.link('dev-a', 'peer');
  await net.flush();
  return { net, a, peer };
}

/** The raw peer asks for facility A's first `count` patient documents, each from scratch. */
function askForFirstDocuments(peer: ReturnType<typeof rawPeer>, count: number) {
  for (let i = 0; i < count; i++) {
    peer.send({
      kind: 'sync-step1',
      docId: patient(FAC_A, i),
      reply: false,
      stateVector: new Uint8Array([0]),
    });
  }
}

describe('flow control (§16)', () => {
  it('FC3/FC5/FC10 a receiver that is slow pauses the sender: bounded queue, diffs encoded lazily', async () => {
    const net = createMemoryNetwork({ seed: 5 });
    const a = createReplica(net, 'dev-a', FAC_A);
    const ids = Array.from({ length: 120 }, (_, i) => patient(FAC_A, i));
    for (const id of ids) writeVisit(a.host, id, `history of ${id}`);
    const window = { windowMessages: 8, windowBytes: 64 * 1024 };
    const b = gatedReplica(net, 'dev-b', window);
    net.link('dev-a', 'dev-b');
    await net.flush();
    // B handles nothing yet: A has sent at most B's window of data, and has encoded about as
    // many diffs, not one per offered document
    const stepTwos = a.engine.traffic().framesSent;
    expect(stepTwos).toBeLessThan(window.windowMessages + 8);
    // (plus a bounded read-ahead, FC10).
    expect(a.host.counters.encodeDiff).toBeLessThanOrEqual(
      window.windowMessages + defaultLimits.diffReadAhead + 1,
    );
    expect(a.host.counters.encodeDiff).toBeLessThan(ids.length / 2);
    expect(closesOf(a)).toEqual([]);
    b.release();
    await net.flush();
    for (const id of ids) expect(sortedVisits(b.host, id)).toEqual([`history of ${id}`]);
    expect(closesOf(a)).toEqual([]);
  });

  it('FC5 a peer that sends beyond the granted window is cut off with flood', async () => {
    const net = createMemoryNetwork({ seed: 6 });
    const victim = createReplica(net, 'victim', FAC_A, { limits: { windowMessages: 4 } });
    writeVisit(victim.host, patient(FAC_A, 1), 'local');
    const evil = rawPeer(net, 'evil');
    net.link('victim', 'evil');
    await net.flush();
    evil.hello();
    // Five credited messages in a row, without waiting for credit: one more than granted.
    for (let i = 0; i < 5; i++) evil.send({ kind: 'not-held', docId: patient(FAC_A, 900 + i) });
    await net.flush();
    expect(closesOf(victim)).toContain('flood');
    expect(sortedVisits(victim.host, patient(FAC_A, 1))).toEqual(['local']);
  });

  it('FC3 a sender never has more than the peer window outstanding; credit lets the rest go', async () => {
    const { net, a, peer } = await holderAndRawPeer(7, 40);
    // The peer grants 3 messages, then asks for 10 documents.
    peer.hello({ deviceId: 'a-peer', windowMessages: 3, windowBytes: 1 << 20 });
    askForFirstDocuments(peer, 10);
    await net.flush();
    expect(peer.sent('sync-step2')).toHaveLength(3);
    // FC4: a credit for more than was sent is a protocol error.
    peer.send({ kind: 'credit', messages: 4, bytes: 0 });
    await net.flush();
    expect(closesOf(a)).toContain('unexpected-message');
  });

  it('FC4 credit returned for what was used lets the sender continue', async () => {
    const { net, a, peer } = await holderAndRawPeer(8, 10);
    peer.hello({ deviceId: 'a-peer', windowMessages: 2, windowBytes: 1 << 20 });
    askForFirstDocuments(peer, 6);
    await net.flush();
    expect(peer.sent('sync-step2')).toHaveLength(2);
    const used = peer.sent('sync-step2').reduce((sum, m) => sum + encodeMessage(m).length, 0);
    peer.send({ kind: 'credit', messages: 2, bytes: used });
    await net.flush();
    expect(peer.sent('sync-step2')).toHaveLength(4);
    expect(closesOf(a)).toEqual([]);
  });

  it('FC8 the sender waits for the channel: the send queue stays near its low-water mark', async () => {
    const lowWaterBytes = 32 * 1024;
    const net = createMemoryNetwork({
      seed: 9,
      shaping: {
        bandwidthBps: 64_000,
        latencyMs: 100,
        lossRate: 0.02,
        retransmitMs: 1_000,
        lowWaterBytes,
      },
    });
    const a = createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_A);
    const big = 'x'.repeat(20_000);
    const ids = Array.from({ length: 30 }, (_, i) => patient(FAC_A, i));
    for (const id of ids) writeVisit(a.host, id, `${id} ${big}`);
    net.link('dev-a', 'dev-b');
    await net.flush(100_000);
    for (const id of ids) expect(sortedVisits(b.host, id)).toEqual([`${id} ${big}`]);
    // 600 kB went over the link; the queue never held more than the mark plus one frame.
    expect(net.peakBufferedBytes).toBeLessThanOrEqual(lowWaterBytes + 16 * 1024 + 64);
    expect(net.now()).toBeGreaterThan(60_000); // simulated: 600 kB at 64 kbit/s
  });
});

describe('device-wide chunk memory (F8)', () => {
  const limits = {
    maxMessageBytes: 256 * 1024,
    maxAssemblyBytes: 1024 * 1024,
    maxAssemblies: 16,
    assemblyTimeoutMs: 30_000,
  };

  it('F8 sixteen sessions with unfinished chunked messages share one budget, and time out', async () => {
    const net = createMemoryNetwork({ seed: 10 });
    const timers = manualTimers();
    const victim = createReplica(net, 'victim', FAC_A, { limits, timers });
    writeVisit(victim.host, patient(FAC_A, 1), 'local');
    const peers = Array.from({ length: 16 }, (_, i) => rawPeer(net, `evil-${i}`));
    for (const [i] of peers.entries()) net.link('victim', `evil-${i}`);
    await net.flush();
    // Each sends half of a 256 KiB update: 128 KiB unfinished, 2 MiB over sixteen sessions.
    const update = new Uint8Array(250 * 1024).fill(1);
    for (const peer of peers) {
      peer.hello({ deviceId: `${peer === peers[0] ? 'a' : 'b'}-${peers.indexOf(peer)}` });
      const frames = peer.frames({ kind: 'update', docId: patient(FAC_A, 1), changes: [update] });
      for (const frame of frames.slice(0, Math.floor(frames.length / 2)))
        peer.state.channel?.send(frame);
    }
    await net.flush();
    const cut = peers.filter((p) => p.state.closes.length > 0).length;
    // 1 MiB holds at most eight 128 KiB halves: the other sessions were cut off.
    expect(cut).toBeGreaterThanOrEqual(8);
    expect(closesOf(victim).filter((r) => r === 'flood').length).toBe(cut);
    // Nothing more arrives: the unfinished messages time out and their memory is freed.
    timers.advance(30_001);
    await net.flush();
    expect(peers.every((p) => p.state.closes.length > 0)).toBe(true);
    // The budget is whole again: a new peer's full chunked message is accepted.
    const friend = createReplica(net, 'friend', FAC_A, { limits, timers });
    writeVisit(friend.host, patient(FAC_A, 2), `big ${'y'.repeat(100_000)}`);
    net.link('victim', 'friend');
    await net.flush();
    expect(sortedVisits(victim.host, patient(FAC_A, 2))).toEqual([`big ${'y'.repeat(100_000)}`]);
    expect(sortedVisits(victim.host, patient(FAC_A, 1))).toEqual(['local']);
  });
});

describe('claims cost what the peer sends (FC9)', () => {
  it('FC9 a reconcile claiming 100,000 documents gets a bounded number of asks; behind stays small', async () => {
    const net = createMemoryNetwork({ seed: 11 });
    const victim = createReplica(net, 'victim', FAC_A);
    const evil = rawPeer(net, 'evil');
    net.link('victim', 'evil');
    await net.flush();
    evil.hello({ deviceId: 'a-evil' }); // sorts first: the victim waits for its reconcile
    const items = Array.from({ length: 100_000 }, (_, i) => ({
      docId: patient(FAC_A, i),
      digest: new Uint8Array(8).fill(3),
    }));
    evil.send({ kind: 'reconcile', ranges: [{ upper: null, mode: { type: 'list', items } }] });
    await net.flush();
    const asks = evil.sent('sync-step1');
    expect(asks.length).toBe(defaultLimits.maxOutstandingAsks);
    expect(evil.state.messages.length).toBeLessThan(defaultLimits.maxOutstandingAsks + 10);
    const behind = victim.engine.status().peers.find((p) => p.deviceId === 'a-evil')?.behind;
    expect(behind?.length).toBe(defaultLimits.maxOutstandingAsks);
    // Each answer buys exactly one more ask.
    for (const ask of asks.slice(0, 5)) {
      if (ask.kind !== 'sync-step1') continue;
      evil.send({ kind: 'sync-step2', docId: ask.docId, changes: [] });
    }
    await net.flush();
    expect(evil.sent('sync-step1').length).toBe(defaultLimits.maxOutstandingAsks + 5);
    expect(closesOf(victim)).toEqual([]);
  });
});

describe('asks under FC9 keep H4', () => {
  it('FC9/H4 an interest that arrives while an ask is in flight still makes the victim ask with reply', async () => {
    const net = createMemoryNetwork({ seed: 14 });
    const victim = createReplica(net, 'victim', FAC_A);
    const extra = patient(FAC_B, 1);
    writeVisit(victim.host, extra, 'seen at A');
    const peer = rawPeer(net, 'peer');
    net.link('victim', 'peer');
    await net.flush();
    peer.hello({ deviceId: 'zz-peer', facility: FAC_C });
    await net.flush();
    const rounds = peer.sent('reconcile');
    // End reconciliation at once (all skip), so only the messages below matter.
    if (rounds.length > 0) {
      peer.send({ kind: 'reconcile', ranges: [{ upper: null, mode: { type: 'skip' } }] });
    }
    // The peer asks with reply: the victim answers and asks back (an ask in flight)...
    peer.send({ kind: 'sync-step1', docId: extra, reply: true, stateVector: new Uint8Array([0]) });
    // ...then says it holds the doc too (H4): the victim must ask again, with reply.
    peer.send({ kind: 'interest', added: [extra] });
    await net.flush();
    const asks = () => peer.sent('sync-step1').filter((m) => m.kind === 'sync-step1');
    expect(asks()).toHaveLength(1);
    peer.send({ kind: 'sync-step2', docId: extra, changes: [] });
    await net.flush();
    expect(asks().map((m) => (m.kind === 'sync-step1' ? m.reply : null))).toEqual([false, true]);
    expect(closesOf(victim)).toEqual([]);
  });
});

describe('extras in batches (H2)', () => {
  /** A host with many held docs and no data (as after a fresh install restored ids only). */
  function lightHost(ids: readonly DocId[]): ReplicaHost & { received: Map<DocId, Uint8Array> } {
    const holdings = new Set(ids);
    const received = new Map<DocId, Uint8Array>();
    return {
      received,
      holdings: () => holdings,
      isRelay: () => false,
      stateVector: (docId) =>
        Promise.resolve(
          received.has(docId)
            ? Y.encodeStateVectorFromUpdate(received.get(docId) as Uint8Array)
            : new Uint8Array([0]),
        ),
      changesSince: () => Promise.resolve([EMPTY_UPDATE]),
      applyRemoteChanges(docId, changes) {
        const known = received.get(docId);
        const updates = changes.map((change) => change.update);
        received.set(docId, Y.mergeUpdates(known ? [known, ...updates] : updates));
        holdings.add(docId);
        return Promise.resolve(changes.map((): RemoteOutcome => ({ type: 'applied' })));
      },
      onDocUpdate: () => () => undefined,
      onHoldingsChanged: () => () => undefined,
    };
  }

  it('H2 a device holding 100,001 records of other facilities is not refused and still syncs them', async () => {
    const net = createMemoryNetwork({ seed: 12 });
    const ids = Array.from({ length: 100_001 }, (_, i) => patient(FAC_B, i));
    const host = lightHost(ids);
    const logger = captureLogger();
    createSyncEngine({
      host,
      deviceId: 'dev-a',
      facility: FAC_A,
      transports: [net.node('dev-a')],
      logger,
      timers: manualTimers(),
      random: createSeededRandom(3),
    });
    // C holds the very last of A's extras itself (it is in A's 25th batch) and has news for it.
    const c = createReplica(net, 'dev-c', FAC_C);
    const last = patient(FAC_B, 100_000);
    writeVisit(c.host, last, 'seen at C');
    net.link('dev-a', 'dev-c');
    await net.flush();
    expect(logger.entries.filter((e) => e.event === 'sync.session-closed')).toEqual([]);
    expect(closesOf(c)).toEqual([]);
    const update = host.received.get(last);
    expect(update).toBeDefined();
    const doc = new Y.Doc();
    Y.applyUpdate(doc, update as Uint8Array);
    expect(doc.getArray<Y.Map<unknown>>('visits').toJSON()).toEqual([{ note: 'seen at C' }]);
  }, 60_000);
});

describe('clocks (K1–K2)', () => {
  it("K2 each side's status shows how far the peer's clock is from its own", async () => {
    const net = createMemoryNetwork({ seed: 13 });
    const base = Date.UTC(2026, 5, 1);
    const skew = 90 * 60 * 1000;
    const engineAt = (id: string, now: number) =>
      createSyncEngine({
        host: createMemoryHost(),
        deviceId: id,
        facility: FAC_A,
        transports: [net.node(id)],
        timers: manualTimers(),
        clock: { now: () => now },
        random: createSeededRandom(id.length),
      });
    const a = engineAt('dev-a', base);
    const b = engineAt('dev-b', base + skew);
    net.link('dev-a', 'dev-b');
    await net.flush();
    expect(a.status().peers[0]?.clockOffsetMs).toBe(skew);
    expect(b.status().peers[0]?.clockOffsetMs).toBe(-skew);
  });
});
