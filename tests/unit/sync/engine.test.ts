import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createMemoryNetwork } from '../../../src/sync/transports/memory';
import {
  FAC_A,
  FAC_B,
  FAC_C,
  createReplica,
  manualTimers,
  network,
  patient,
  register,
  setField,
  snapshotOf,
  sortedVisits,
  stateVectorOf,
  writeVisit,
} from './harness';

describe('engine: one session per peer pair, all documents', () => {
  it('S1/S2 two devices of one facility exchange every shared document over one session', async () => {
    const net = createMemoryNetwork({ seed: 1 });
    const a = createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_A);
    setField(a.host, network, 'name', 'Test network');
    writeVisit(a.host, patient(FAC_A, 1), 'a1');
    writeVisit(b.host, patient(FAC_A, 2), 'b2');
    setField(b.host, register(FAC_A), 'x', 'y');
    net.link('dev-a', 'dev-b');
    await net.flush();
    for (const id of [network, patient(FAC_A, 1), patient(FAC_A, 2), register(FAC_A)]) {
      expect(snapshotOf(b.host, id)).toEqual(snapshotOf(a.host, id));
      expect(stateVectorOf(b.host, id)).toEqual(stateVectorOf(a.host, id));
    }
    expect(a.engine.status().peers.map((p) => p.connected)).toEqual([true]);
  });

  it('M1 live changes are forwarded while connected', async () => {
    const net = createMemoryNetwork({ seed: 2 });
    const a = createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_A);
    net.link('dev-a', 'dev-b');
    await net.flush();
    writeVisit(a.host, patient(FAC_A, 7), 'first');
    await net.flush();
    writeVisit(b.host, patient(FAC_A, 7), 'second');
    await net.flush();
    expect(sortedVisits(a.host, patient(FAC_A, 7))).toEqual(['first', 'second']);
    expect(sortedVisits(b.host, patient(FAC_A, 7))).toEqual(['first', 'second']);
  });

  it('F7 a document above 16 KiB travels in chunks and arrives whole', async () => {
    const net = createMemoryNetwork({ seed: 3 });
    const a = createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_A);
    const big = 'x'.repeat(200_000);
    setField(a.host, patient(FAC_A, 1), 'notes', big);
    net.link('dev-a', 'dev-b');
    await net.flush();
    expect(b.host.doc(patient(FAC_A, 1)).getMap('demographics').get('notes')).toBe(big);
    expect(net.stats.framesDelivered).toBeGreaterThan(12);
  });
});

describe('engine: interest and holdings', () => {
  it("H1 a device receives its own patients and every register, not other facilities' patients", async () => {
    const net = createMemoryNetwork({ seed: 4 });
    const a = createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_B);
    writeVisit(a.host, patient(FAC_A, 1), 'private to A');
    setField(a.host, register(FAC_A), '01020001000001', 'Amina');
    net.link('dev-a', 'dev-b');
    await net.flush();
    expect(b.host.has(register(FAC_A))).toBe(true);
    expect(b.host.has(patient(FAC_A, 1))).toBe(false);
    writeVisit(a.host, patient(FAC_A, 1), 'later visit');
    await net.flush();
    expect(b.host.has(patient(FAC_A, 1))).toBe(false);
  });

  it('H1 a relay receives everything and serves it', async () => {
    const net = createMemoryNetwork({ seed: 5 });
    const a = createReplica(net, 'dev-a', FAC_A);
    const r = createReplica(net, 'relay', '', { relay: true });
    writeVisit(a.host, patient(FAC_A, 1), 'v');
    net.link('dev-a', 'relay');
    await net.flush();
    expect(sortedVisits(r.host, patient(FAC_A, 1))).toEqual(['v']);
  });

  it('Q1 request fetches a patient document from a holder; it is then kept in sync', async () => {
    const net = createMemoryNetwork({ seed: 6 });
    const a = createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_B);
    writeVisit(a.host, patient(FAC_A, 1), 'at A');
    net.link('dev-a', 'dev-b');
    await net.flush();
    const pending = b.engine.request(patient(FAC_A, 1));
    await net.flush();
    expect(await pending).toEqual({ ok: true, value: undefined });
    expect(sortedVisits(b.host, patient(FAC_A, 1))).toEqual(['at A']);
    writeVisit(a.host, patient(FAC_A, 1), 'at A again');
    writeVisit(b.host, patient(FAC_A, 1), 'at B');
    await net.flush();
    expect(sortedVisits(a.host, patient(FAC_A, 1))).toEqual(['at A', 'at A again', 'at B']);
    expect(sortedVisits(b.host, patient(FAC_A, 1))).toEqual(['at A', 'at A again', 'at B']);
  });

  it('Q2 request fails with not-found when every peer says it does not hold the doc', async () => {
    const net = createMemoryNetwork({ seed: 7 });
    createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_B);
    net.link('dev-a', 'dev-b');
    await net.flush();
    const pending = b.engine.request(patient(FAC_A, 99));
    await net.flush();
    expect(await pending).toEqual({ ok: false, error: 'not-found' });
  });

  it('Q2 request fails with a typed reason after the timeout, and rejects bad ids', async () => {
    const net = createMemoryNetwork({ seed: 8 });
    const timers = manualTimers();
    const b = createReplica(net, 'dev-b', FAC_B, { timers });
    expect(await b.engine.request('patient:123')).toEqual({ ok: false, error: 'invalid-doc-id' });
    const alone = b.engine.request(patient(FAC_A, 1), { timeoutMs: 500 });
    timers.advance(500);
    expect(await alone).toEqual({ ok: false, error: 'no-peers' });
    // A peer that never answers (it is partitioned after the request went out).
    createReplica(net, 'dev-a', FAC_A);
    net.link('dev-a', 'dev-b');
    await net.flush();
    const silent = b.engine.request(patient(FAC_A, 1), { timeoutMs: 500 });
    net.partition([['dev-a'], ['dev-b']]);
    await net.flush();
    timers.advance(499);
    let settled = false;
    void silent.then(() => (settled = true));
    await net.flush();
    expect(settled).toBe(false);
    timers.advance(1);
    expect(await silent).toEqual({ ok: false, error: 'timeout' });
    const afterStop = b.engine.request(patient(FAC_A, 2));
    b.engine.stop();
    expect(await afterStop).toEqual({ ok: false, error: 'stopped' });
  });

  it('H4 a visit written before the patient record arrived merges when it arrives', async () => {
    const net = createMemoryNetwork({ seed: 9 });
    const a = createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_B);
    setField(a.host, patient(FAC_A, 1), 'givenName', 'Amina');
    writeVisit(a.host, patient(FAC_A, 1), 'registered at A');
    // B sees the patient (e.g. from the register) and records a visit while offline.
    writeVisit(b.host, patient(FAC_A, 1), 'seen at B');
    net.link('dev-a', 'dev-b');
    await net.flush();
    for (const host of [a.host, b.host]) {
      expect(sortedVisits(host, patient(FAC_A, 1))).toEqual(['registered at A', 'seen at B']);
      expect(host.doc(patient(FAC_A, 1)).getMap('demographics').get('givenName')).toBe('Amina');
    }
  });
});

describe('engine: multi-hop', () => {
  it('M2 A writes while only relay R is online; A leaves; C later receives it from R', async () => {
    const net = createMemoryNetwork({ seed: 10 });
    const a = createReplica(net, 'fac-a', FAC_A);
    createReplica(net, 'relay', '', { relay: true });
    const c = createReplica(net, 'fac-c', FAC_C);
    // C holds A's patient already (it opened the record for a transfer some time ago).
    writeVisit(a.host, patient(FAC_A, 1), 'registered at A');
    Y.applyUpdate(
      c.host.doc(patient(FAC_A, 1)),
      Y.encodeStateAsUpdate(a.host.doc(patient(FAC_A, 1))),
    );
    net.link('fac-a', 'relay');
    await net.flush();
    writeVisit(a.host, patient(FAC_A, 1), 'written at A');
    setField(a.host, register(FAC_A), '01020001000001', 'Amina');
    await net.flush();
    net.setOnline('fac-a', false);
    net.link('fac-c', 'relay');
    await net.flush();
    expect(net.isConnected('fac-a', 'fac-c')).toBe(false);
    expect(a.engine.status().peers.map((p) => p.deviceId)).toEqual(['relay']);
    expect(sortedVisits(c.host, patient(FAC_A, 1))).toEqual(['registered at A', 'written at A']);
    expect(snapshotOf(c.host, register(FAC_A))).toEqual(snapshotOf(a.host, register(FAC_A)));
  });

  it('M1 a live update is forwarded across a chain of peers that all want it', async () => {
    const net = createMemoryNetwork({ seed: 11 });
    const a = createReplica(net, 'a', FAC_A);
    createReplica(net, 'r', '', { relay: true });
    const c = createReplica(net, 'c', FAC_B);
    net.link('a', 'r');
    net.link('r', 'c');
    await net.flush();
    setField(a.host, register(FAC_A), 'k', 'v');
    await net.flush();
    expect(c.host.doc(register(FAC_A)).getMap('demographics').get('k')).toBe('v');
  });
});

describe('engine: deletes and state', () => {
  it('R1 equal state vectors from different edit orders reconcile as equal (no data sent)', async () => {
    const net = createMemoryNetwork({ seed: 12 });
    const a = createReplica(net, 'a', FAC_A);
    const b = createReplica(net, 'b', FAC_A);
    const x = new Y.Doc();
    const y = new Y.Doc();
    x.getMap('m').set('x', 1);
    y.getMap('m').set('y', 2);
    const ux = Y.encodeStateAsUpdate(x);
    const uy = Y.encodeStateAsUpdate(y);
    // Same content, clients learned in opposite orders.
    Y.applyUpdate(a.host.doc(patient(FAC_A, 1)), ux);
    Y.applyUpdate(a.host.doc(patient(FAC_A, 1)), uy);
    Y.applyUpdate(b.host.doc(patient(FAC_A, 1)), uy);
    Y.applyUpdate(b.host.doc(patient(FAC_A, 1)), ux);
    net.link('a', 'b');
    await net.flush();
    expect(a.host.counters.encodeDiff + b.host.counters.encodeDiff).toBe(0);
  });
});

describe('engine: late answers', () => {
  it('Q1 an answer that arrives after the request timed out is still accepted, not treated as a push', async () => {
    const net = createMemoryNetwork({ seed: 13 });
    const timers = manualTimers();
    const a = createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_B, { timers });
    writeVisit(a.host, patient(FAC_A, 1), 'slow answer');
    net.link('dev-a', 'dev-b');
    await net.flush();
    const pending = b.engine.request(patient(FAC_A, 1), { timeoutMs: 100 });
    await Promise.resolve();
    timers.advance(100);
    expect(await pending).toEqual({ ok: false, error: 'timeout' });
    await net.flush();
    expect(sortedVisits(b.host, patient(FAC_A, 1))).toEqual(['slow answer']);
    expect(b.engine.status().peers[0]?.connected).toBe(true);
  });
});

describe('engine: interest during a session and handshake', () => {
  it('H3/H4 a visit written while connected for a patient not yet held is announced and merges', async () => {
    const net = createMemoryNetwork({ seed: 14 });
    const a = createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_B);
    writeVisit(a.host, patient(FAC_A, 4), 'history at A');
    net.link('dev-a', 'dev-b');
    await net.flush();
    expect(b.host.has(patient(FAC_A, 4))).toBe(false);
    writeVisit(b.host, patient(FAC_A, 4), 'seen at B while travelling');
    await net.flush();
    const both = ['history at A', 'seen at B while travelling'];
    expect(sortedVisits(b.host, patient(FAC_A, 4))).toEqual(both);
    expect(sortedVisits(a.host, patient(FAC_A, 4))).toEqual(both);
  });

  it("H3 interest gained between our hello and the peer's hello still reaches the peer", async () => {
    const net = createMemoryNetwork({ seed: 16 });
    const a = createReplica(net, 'dev-a', FAC_A);
    const b = createReplica(net, 'dev-b', FAC_B);
    writeVisit(a.host, patient(FAC_A, 5), 'history at A');
    net.link('dev-a', 'dev-b');
    // Hellos are in flight; B now writes to a patient it did not hold when it said hello.
    writeVisit(b.host, patient(FAC_A, 5), 'seen at B');
    await net.flush();
    expect(sortedVisits(a.host, patient(FAC_A, 5))).toEqual(['history at A', 'seen at B']);
    expect(sortedVisits(b.host, patient(FAC_A, 5))).toEqual(['history at A', 'seen at B']);
  });

  it('S6 a peer that never says hello is dropped after the handshake timeout', async () => {
    const net = createMemoryNetwork({ seed: 15 });
    const timers = manualTimers();
    const a = createReplica(net, 'dev-a', FAC_A, { timers });
    const closes: string[] = [];
    net.node('mute').onPeerConnected((_peer, channel) => channel.onClose((r) => closes.push(r)));
    net.link('dev-a', 'mute');
    await net.flush();
    timers.advance(14_999);
    await net.flush();
    expect(closes).toEqual([]);
    timers.advance(1);
    await net.flush();
    expect(closes).toEqual(['handshake-timeout']);
    expect(a.logger.entries.map((e) => e.details.reason)).toContain('handshake-timeout');
  });
});
