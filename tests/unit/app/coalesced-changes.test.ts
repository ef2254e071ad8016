/**
 * ST1–ST4 (docs/protocol.md §23, decision 0023): at compaction a device replaces its own
 * consecutive signed changes to a record by one signed change of their merged update. A peer
 * that lacks part of it verifies and takes it with the same rules as any change (SC6–SC12, the
 * role table); a "merged" change that carries another device's structs, or is signed by another
 * key than its author's, is refused like any forged change.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { patientDocId, type DocId } from '../../../src/crdt/doc-id';
import { appendEntry } from '../../../src/crdt/patient-doc';
import { createChangeSigner } from '../../../src/crdt/trust/change-signer';
import { decodeSignedChange } from '../../../src/crdt/trust/signed-change';
import type { Entry, EntryId } from '../../../src/domain/types';
import { createMemoryNetwork } from '../../../src/sync';
import { aminaForm, visitForm } from './harness';
import {
  founder,
  invite,
  joinWith,
  settle,
  trustedDevice,
  type TrustedDevice,
} from './trusted-device';

/** An update made on a copy of `device`'s document, under its own client id. */
async function updateAt(
  device: TrustedDevice,
  docId: DocId,
  edit: (doc: Y.Doc) => void,
): Promise<Uint8Array> {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(await device.repo.get(docId)));
  copy.clientID = device.repo.clientId;
  let update: Uint8Array | undefined;
  copy.on('update', (u: Uint8Array) => (update = u));
  copy.transact(() => edit(copy));
  if (!update) throw new Error('the edit changed nothing');
  return update;
}

/** A copy of the record's first visit as a new entry, stamped by `device`. */
async function anotherVisit(device: TrustedDevice, docId: DocId, suffix: string): Promise<Entry> {
  const first = (await device.repo.get(docId)).getArray<Entry>('visits').get(0);
  return {
    ...first,
    id: `${first.id}-${suffix}` as EntryId,
    stamp: { ...first.stamp, deviceId: device.trust.key.deviceId },
  };
}

const refusalsAt = (device: TrustedDevice, docId: DocId) =>
  device.log
    .filter((e) => e.event === 'sync.update-refused' && e.details.docId === docId)
    .map((e) => String(e.details.reason));

const updateOf = (bytes: Uint8Array) => {
  const decoded = decodeSignedChange(bytes);
  if (!decoded.ok) throw new Error('a stored change does not decode');
  return decoded.value;
};

describe('coalesced changes (ST1–ST4)', () => {
  it('ST1 ST2 a peer lacking part of a coalesced change takes it; forged merges are refused', async () => {
    const net = createMemoryNetwork({ seed: 51, delivery: 'microtask' });
    const a = await founder(net, 'a');
    const b = await trustedDevice(net, 'b');
    await joinWith(b, await invite(a, '01020004', 'Sinza CTC'));
    net.link('a', 'b');
    await settle(net, a, b);
    const registered = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    if (!registered.ok) throw new Error('register');
    const ctcId = registered.value;
    const docId = patientDocId(ctcId);
    for (const [date, next] of [
      ['2026-01-13', '2026-04-07'],
      ['2026-02-10', '2026-04-07'],
    ] as const) {
      const saved = await a.service.recordVisit(ctcId, visitForm(date, next));
      if (!saved.ok) throw new Error(`visit: ${JSON.stringify(saved.error)}`);
    }
    await settle(net, a, b);
    if ((await b.network.requestRecord(ctcId)) !== 'received') throw new Error('fetch at B');
    await settle(net, a, b);

    // B is away while A records one more visit and compacts the record.
    net.unlink('a', 'b');
    expect((await a.service.recordVisit(ctcId, visitForm('2026-03-10', '2026-04-07'))).ok).toBe(
      true,
    );
    const separate = await a.store.loadChanges(docId);
    expect(separate.length).toBeGreaterThan(3);
    await a.repo.compact(docId);
    const coalesced = await a.store.loadChanges(docId);
    expect(coalesced).toHaveLength(1);
    const merged = updateOf(coalesced[0]!.bytes);
    expect(merged.author).toBe(a.trust.key.deviceId);
    // ST2: exactly the structs and deletes of the run, nothing re-encoded.
    expect(merged.update).toEqual(Y.mergeUpdates(separate.map((c) => updateOf(c.bytes).update)));
    expect((await a.service.getPatient(ctcId))?.visits).toHaveLength(3);

    // B comes back: the catch-up sends the coalesced change (B lacks its last visit).
    net.link('a', 'b');
    await settle(net, a, b);
    expect(refusalsAt(b, docId)).toEqual([]);
    expect((await b.service.getPatient(ctcId))?.visits).toHaveLength(3);
    expect((await b.store.loadChanges(docId)).map((c) => c.id)).toContain(coalesced[0]!.id);

    // Forged merges, sent by A's device running modified software (`inject`).
    const signAsA = createChangeSigner(a.trust.key, a.trust.key.deviceId);
    const bEntry = await anotherVisit(b, docId, 'b');
    const byB = await updateAt(b, docId, (d) => appendEntry(d, bEntry));
    // B's structs merged into A's change and signed by A: foreign-client (SC10).
    const foreign = await signAsA(docId, Y.mergeUpdates([merged.update, byB]));
    // A's own new visit merged in, but signed by another key under A's name: bad-signature.
    const aEntry = await anotherVisit(a, docId, 'a');
    const byA = await updateAt(a, docId, (d) => appendEntry(d, aEntry));
    const wrongKey = await createChangeSigner(b.trust.key, a.trust.key.deviceId)(
      docId,
      Y.mergeUpdates([merged.update, byA]),
    );
    const storedAtB = (await b.store.loadChanges(docId)).map((c) => c.id);
    a.inject(docId, [foreign.bytes, wrongKey.bytes]);
    await settle(net, a, b);
    expect(refusalsAt(b, docId)).toEqual(['foreign-client', 'bad-signature']);
    expect((await b.service.getPatient(ctcId))?.visits).toHaveLength(3);
    // Nothing of either is stored.
    expect((await b.store.loadChanges(docId)).map((c) => c.id)).toEqual(storedAtB);
  });
});
