/**
 * Stored forms of the Dexie store (issue 9 point 5, decision 0023): a signed write's update is
 * stored once (in its change), compaction packs changes into one deflated row, everything reads
 * back byte for byte, and a database of schema 2 opens at schema 3 with every row readable.
 */
import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import * as Y from 'yjs';
import type { StoredChange } from '../../../src/crdt/ports';
import { createChangeSigner, type ChangeSigner } from '../../../src/crdt/trust/change-signer';
import { createDeviceKey, deviceIdFromPublicKey } from '../../../src/crdt/trust/device-key';
import { createDexieStore, DEXIE_SCHEMA_VERSION } from '../../../src/storage/dexie-store';
import { packChanges, unpackChanges } from '../../../src/storage/stored-forms';
import { content, ctc, facilityA, PatientDocFixture, rebuild } from './fixtures';

let databases = 0;
const freshName = () => `pamoja-forms-${(databases += 1)}`;

async function signer(): Promise<ChangeSigner> {
  const key = await createDeviceKey({ algorithm: 'Ed25519' });
  return createChangeSigner(key, await deviceIdFromPublicKey(key.publicKey));
}

/** A patient record written in `visits + 1` signed commits, as the repository makes them. */
async function signedHistory(sign: ChangeSigner, visits: number) {
  const fixture = new PatientDocFixture(ctc(facilityA, 1));
  const writes = [];
  const changes: StoredChange[] = [];
  const first = fixture.setField('givenName', 'Zaïtuni');
  for (let i = 0; i <= visits; i += 1) {
    const update = i === 0 ? first : fixture.addVisit(`2025-02-${10 + i}`, 60 + i);
    const change = await sign(fixture.docId, update);
    changes.push(change);
    writes.push(fixture.write(update, { changes: [change] }));
  }
  return { fixture, writes, changes };
}

const plain = (changes: readonly StoredChange[]) =>
  changes.map(({ id, bytes, reach }) => ({ id, bytes: [...bytes], reach: [...reach] }));

async function rows(name: string, table: string): Promise<Array<Record<string, unknown>>> {
  const raw = new Dexie(name);
  await raw.open();
  try {
    return (await raw.table(table).toArray()) as Array<Record<string, unknown>>;
  } finally {
    raw.close();
  }
}

const binaryBytes = (records: Array<Record<string, unknown>>) =>
  records.reduce(
    (sum, row) =>
      sum +
      Object.values(row).reduce<number>(
        (n, v) => n + (v instanceof Uint8Array ? v.byteLength : 0),
        0,
      ),
    0,
  );

describe('dexie stored forms', () => {
  it('stores a signed update once: the update row refers to its change', async () => {
    const name = freshName();
    const store = createDexieStore({ name });
    const { fixture, writes, changes } = await signedHistory(await signer(), 3);
    for (const write of writes) await store.commit(write);
    const updateRows = await rows(name, 'updates');
    expect(updateRows).toHaveLength(4);
    expect(updateRows.every((row) => row.bytes === undefined && typeof row.ref === 'string')).toBe(
      true,
    );
    expect(content(rebuild(await store.loadUpdates(fixture.docId)))).toEqual(content(fixture.doc));
    expect(plain(await store.loadChanges(fixture.docId))).toEqual(plain(changes));
    await store.delete();
  });

  it('packs changes at compaction, deflated, and reads every byte back', async () => {
    const name = freshName();
    const store = createDexieStore({ name });
    const { fixture, writes, changes } = await signedHistory(await signer(), 12);
    for (const write of writes) await store.commit(write);
    const before = binaryBytes(await rows(name, 'changes'));
    expect(await store.compact(fixture.docId)).toBe(13);

    expect(await rows(name, 'changes')).toEqual([]);
    const packs = await rows(name, 'packs');
    expect(packs).toHaveLength(1);
    expect(binaryBytes(packs)).toBeLessThan(before);
    // Stored once: one row refers to the pack, no merged copy of the same content beside it.
    const updateRows = await rows(name, 'updates');
    expect(updateRows).toHaveLength(1);
    expect(updateRows[0]?.pack).toBe(packs[0]?.seq);
    expect(plain(await store.loadChanges(fixture.docId))).toEqual(plain(changes));
    expect(content(rebuild(await store.loadUpdates(fixture.docId)))).toEqual(content(fixture.doc));
    expect((await store.getDocInfo(fixture.docId))?.updateCount).toBe(1);

    // A change already packed, received again, is kept once.
    await store.commit(fixture.write(writes[3]!.update, { changes: [changes[3]!] }));
    expect(await store.loadChanges(fixture.docId)).toHaveLength(13);
    await store.delete();
  });

  it('merges into one deflated update when the rows are not only references', async () => {
    const name = freshName();
    const store = createDexieStore({ name });
    const { fixture, writes, changes } = await signedHistory(await signer(), 4);
    for (const write of writes) await store.commit(write);
    // A plain update (an unsigned peer's, or a batch merged by the repository).
    const plainUpdate = fixture.setField('familyName', 'Mwakyusa');
    await store.commit(fixture.write(plainUpdate));
    await store.compact(fixture.docId);
    const updateRows = await rows(name, 'updates');
    expect(updateRows).toHaveLength(1);
    expect(updateRows[0]?.z).toBe(1);
    expect(content(rebuild(await store.loadUpdates(fixture.docId)))).toEqual(content(fixture.doc));
    expect(plain(await store.loadChanges(fixture.docId))).toEqual(plain(changes));
    const info = await store.getDocInfo(fixture.docId);
    expect(Y.decodeStateVector(info!.stateVector)).toEqual(
      Y.decodeStateVector(Y.encodeStateVector(fixture.doc)),
    );
    expect(Object.keys(info!).sort()).toEqual([
      'docId',
      'kind',
      'stateVector',
      'updateCount',
      'updatedAt',
    ]);
    await store.delete();
  });

  it('D3 a commit racing a compaction is never lost', async () => {
    const name = freshName();
    const store = createDexieStore({ name });
    const { fixture, writes } = await signedHistory(await signer(), 6);
    for (const write of writes.slice(0, 5)) await store.commit(write);
    const racing = Promise.all([
      store.compact(fixture.docId),
      store.commit(writes[5]!),
      store.commit(writes[6]!),
    ]);
    await racing;
    await store.compact(fixture.docId);
    expect(content(rebuild(await store.loadUpdates(fixture.docId)))).toEqual(content(fixture.doc));
    expect(await store.loadChanges(fixture.docId)).toHaveLength(7);
    await store.delete();
  });

  it('D25 a commit landing while a compaction works does not cancel it', async () => {
    const name = freshName();
    const store = createDexieStore({ name });
    const { fixture, writes } = await signedHistory(await signer(), 6);
    for (const write of writes.slice(0, 6)) await store.commit(write);
    // The commit is queued behind the compaction's read and lands while it deflates.
    const [merged] = await Promise.all([store.compact(fixture.docId), store.commit(writes[6]!)]);
    expect(merged).toBeGreaterThan(1);
    const raw = await new Dexie(name).open();
    const rows = await raw.table('updates').where('docId').equals(fixture.docId).count();
    raw.close();
    const info = await store.getDocInfo(fixture.docId);
    expect(rows).toBeLessThan(7);
    expect(info!.updateCount).toBe(rows);
    expect(Y.decodeStateVector(info!.stateVector)).toEqual(
      Y.decodeStateVector(Y.encodeStateVector(fixture.doc)),
    );
    expect(content(rebuild(await store.loadUpdates(fixture.docId)))).toEqual(content(fixture.doc));
    expect(await store.loadChanges(fixture.docId)).toHaveLength(7);
    await store.delete();
  });

  it('opens a database of schema 2 at schema 3 with every row readable', async () => {
    const name = freshName();
    const { fixture, writes, changes } = await signedHistory(await signer(), 2);
    const v2 = new Dexie(name);
    v2.version(1).stores({
      updates: '++seq, docId',
      docs: 'docId, kind',
      patients: 'ctcId, *nameTokens, phoneDigits, nextAppointment, status, lastVisitDate',
      directory: 'ctcId, *nameTokens, facilityCode',
      meta: 'key',
    });
    v2.version(2).stores({ changes: '++seq, docId, [docId+id]' });
    for (const write of writes) {
      await v2.table('updates').add({ docId: fixture.docId, bytes: write.update });
    }
    for (const change of changes)
      await v2.table('changes').add({ docId: fixture.docId, ...change });
    await v2.table('docs').put({
      docId: fixture.docId,
      kind: 'patient',
      stateVector: Y.encodeStateVector(fixture.doc),
      updateCount: writes.length,
      updatedAt: '2025-02-01T09:30:00.000Z',
    });
    v2.close();

    const store = createDexieStore({ name });
    expect(content(rebuild(await store.loadUpdates(fixture.docId)))).toEqual(content(fixture.doc));
    expect(plain(await store.loadChanges(fixture.docId))).toEqual(plain(changes));
    // Schema-2 rows hold full bytes: compaction merges them with new rows and keeps every change.
    const more = fixture.addVisit('2025-03-01', 70);
    const next = await (await signer())(fixture.docId, more);
    await store.commit(fixture.write(more, { changes: [next] }));
    await store.compact(fixture.docId);
    expect(content(rebuild(await store.loadUpdates(fixture.docId)))).toEqual(content(fixture.doc));
    expect(plain(await store.loadChanges(fixture.docId))).toEqual(plain([...changes, next]));
    await store.close();
    const raw = new Dexie(name);
    await raw.open();
    expect(raw.verno).toBe(DEXIE_SCHEMA_VERSION);
    expect(DEXIE_SCHEMA_VERSION).toBe(3);
    raw.close();
    await Dexie.delete(name);
  });

  it('packs keep ids and reaches that cannot be derived from the bytes', () => {
    const odd: StoredChange[] = [
      { id: 'sig-a', bytes: new Uint8Array([1, 2]), reach: new Uint8Array([1, 5, 3]) },
      { id: 'sig-b', bytes: new Uint8Array([9]), reach: new Uint8Array([0]) },
    ];
    expect(plain(unpackChanges(packChanges(odd)))).toEqual(plain(odd));
  });
});
