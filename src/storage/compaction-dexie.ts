/**
 * Compaction in the Dexie store (D3, issue 9 point 5). Two transactions, because compression
 * is asynchronous and an IndexedDB transaction closes when it waits on anything but its own
 * requests: the first reads a document's rows, the work is done outside, and the second writes
 * only if nothing of what was read changed meanwhile (a commit raises `updateCount`; another
 * tab's compaction removes the rows read). Otherwise it stores nothing and reports 0; the next
 * write schedules it again. So a write committed in between is never merged away unread (D3).
 *
 * Cold forms written here (stored-forms.ts): the live signed changes become one deflated pack;
 * when every update row only refers to signed changes, the rows become one row referring to
 * the pack (the update is stored once: in its change); otherwise every row is merged into one
 * deflated update (registers: loading thousands of small changes would cost a start-up).
 */
import type { Table } from 'dexie';
import type Dexie from 'dexie';
import * as Y from 'yjs';
import type { CompactOptions, DocInfo, StoredChange } from '../crdt/ports';
import type { DocId } from '../crdt/doc-id';
import { mergeStoredUpdates } from './local-store';
import { tailToMerge } from './compaction-tiers';
import { applyRuns, deflate, inflate, packChanges, tailOf, unpackChanges } from './stored-forms';

export interface UpdateRecord {
  /** Auto-incremented; orders a document's updates. Compaction reuses the smallest merged key. */
  seq?: number;
  docId: DocId;
  /** The update (deflated when `z`); absent when the row refers to a change or a pack. */
  bytes?: Uint8Array;
  z?: 1;
  /** Refers to a live change: the update is the last `tail` bytes of change `ref`. */
  ref?: string;
  tail?: number;
  /** Refers to pack `pack`: the updates are the last `tails[i]` bytes of its i-th change. */
  pack?: number;
  tails?: number[];
}

/** SC14: one signed change, kept byte for byte beside the updates. */
export interface ChangeRecord extends StoredChange {
  seq?: number;
  docId: DocId;
}

/** Changes compaction packed: deflated `packChanges` bytes, in the order first stored. */
export interface PackRecord {
  seq?: number;
  docId: DocId;
  bytes: Uint8Array;
}

/** The stored `docs` row: exactly the port's DocInfo. */
export type DocRecord = DocInfo;

export interface CompactionTables {
  updates: Table<UpdateRecord, number>;
  changes: Table<ChangeRecord, number>;
  packs: Table<PackRecord, number>;
  docs: Table<DocRecord, DocId>;
}

/** Compressed bytes of packs a compaction folds into its new pack (a record's, not a register's). */
const maxCarriedPackBytes = 64 * 1024;

export async function unpack(record: PackRecord): Promise<StoredChange[]> {
  return unpackChanges(await inflate(record.bytes));
}

/** The updates of rows read from storage, in row order, given the changes and packs they use. */
export async function resolveUpdates(
  rows: readonly UpdateRecord[],
  liveById: ReadonlyMap<string, StoredChange>,
  packsBySeq: ReadonlyMap<number, PackRecord>,
): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const row of rows) {
    if (row.ref !== undefined) {
      const change = liveById.get(row.ref);
      if (!change) throw new Error(`stored update refers to a missing change`);
      out.push(tailOf(change.bytes, row.tail ?? 0));
    } else if (row.pack !== undefined) {
      const pack = packsBySeq.get(row.pack);
      if (!pack) throw new Error(`stored update refers to a missing pack`);
      const changes = await unpack(pack);
      changes.forEach((change, i) => out.push(tailOf(change.bytes, row.tails?.[i] ?? 0)));
    } else if (row.bytes) {
      out.push(row.z ? await inflate(row.bytes) : row.bytes);
    }
  }
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);

export async function compactDoc(
  db: Dexie,
  t: CompactionTables,
  docId: DocId,
  options: CompactOptions = {},
): Promise<number> {
  const stores = [t.updates, t.changes, t.packs, t.docs];
  const read = await db.transaction('r', stores, async () => {
    const info = await t.docs.get(docId);
    if (!info) return undefined;
    const rows = await t.updates.where('docId').equals(docId).toArray();
    if (rows.length < 2) return undefined;
    const live = await t.changes.where('docId').equals(docId).toArray();
    const packSeqs = rows.flatMap((row) => (row.pack === undefined ? [] : [row.pack]));
    const packRows = (await t.packs.bulkGet(packSeqs)).filter((p): p is PackRecord => !!p);
    return { info, rows, live, packRows };
  });
  if (!read) return 0;
  const { info, rows, live, packRows } = read;

  const refRows = rows.filter((row) => row.ref !== undefined);
  const packRefRows = rows.filter((row) => row.pack !== undefined);
  const tailById = new Map(refRows.map((row) => [row.ref!, row.tail ?? 0]));
  // The update is stored once when the rows are references only, each live change referred
  // to exactly once: then the pack's changes hold exactly what the rows held.
  // Packs the rows refer to are folded into the new one while they stay small (a record); a
  // larger document (a register) has its rows merged into one update instead.
  const carriedBytes = packRows.reduce((sum, pack) => sum + pack.bytes.byteLength, 0);
  const referencesOnly =
    refRows.length + packRefRows.length === rows.length &&
    refRows.length === live.length &&
    live.every((change) => tailById.has(change.id)) &&
    packRows.length === packRefRows.length &&
    carriedBytes <= maxCarriedPackBytes;
  // Nothing new to pack: left as it is.
  if (referencesOnly && refRows.length === 0) return 0;
  // D24: rows merged into one update are, when tiered, only the newest run (compaction-tiers.ts);
  // the older rows stay as they are, and so do the live changes they refer to.
  const from = referencesOnly ? 0 : tieredStart(rows, options.tiered ?? false);
  if (from === undefined) return 0;
  const keptRefs = new Set(rows.slice(0, from).flatMap((row) => (row.ref ? [row.ref] : [])));
  const packable = live.filter((change) => !keptRefs.has(change.id));
  const plainLive = packable.map(({ id, bytes, reach }) => ({ id, bytes, reach }));
  // What the new pack holds: with references only, the referred packs' changes first (they
  // were stored first), then the live ones; each with the length of its update.
  const carried: StoredChange[] = [];
  const carriedTails: number[] = [];
  if (referencesOnly) {
    const bySeq = new Map(packRows.map((pack) => [pack.seq!, pack]));
    for (const row of packRefRows) {
      const changes = await unpack(bySeq.get(row.pack!)!);
      changes.forEach((change, i) => {
        carried.push(change);
        carriedTails.push(row.tails?.[i] ?? 0);
      });
    }
  }
  const tailByChange = new Map<StoredChange, number>();
  carried.forEach((change, i) => tailByChange.set(change, carriedTails[i]!));
  // A change packed before and received again since is packed once (ST4).
  const carriedIds = new Set(carried.map((change) => change.id));
  const candidates = [...carried, ...plainLive.filter((change) => !carriedIds.has(change.id))];
  const runs = options.coalesce && candidates.length > 1 ? await options.coalesce(candidates) : [];
  const packed = applyRuns(
    candidates,
    runs,
    (change) => tailByChange.get(change) ?? tailById.get(change.id),
  );
  const packedChanges = packed.map((entry) => entry.change);
  const packBytes = packable.length > 0 ? await deflate(packChanges(packedChanges)) : undefined;
  let merged: { bytes: Uint8Array; stateVector?: Uint8Array } | undefined;
  if (!referencesOnly) {
    const updates = await resolveUpdates(
      rows.slice(from),
      new Map(live.map(({ id, bytes, reach }) => [id, { id, bytes, reach }])),
      new Map(packRows.map((pack) => [pack.seq!, pack])),
    );
    if (from === 0) {
      const result = mergeStoredUpdates(updates);
      merged = { bytes: await deflate(result.merged), stateVector: result.stateVector };
    } else {
      // Only a tail: merged without building the document, the stored state vector kept.
      merged = { bytes: await deflate(Y.mergeUpdates(updates)) };
    }
  }

  return db.transaction('rw', stores, async () => {
    const now = await t.docs.get(docId);
    if (!now) return 0;
    // D25: a commit that landed meanwhile added rows after the ones read (higher seq) and left
    // them alone, so the merge is still exact: it goes ahead and the new rows stay as they are.
    // Back-to-back saves used to abort every compaction the previous save had scheduled.
    const committedMeanwhile =
      now.updateCount !== info.updateCount || !sameBytes(now.stateVector, info.stateVector);
    const keys = rows.map((row) => row.seq!);
    const liveKeys = packable.map((change) => change.seq!);
    const carriedKeys = referencesOnly ? packRows.map((pack) => pack.seq!) : [];
    const [stillRows, stillLive, stillPacks] = await Promise.all([
      t.updates.bulkGet(keys),
      t.changes.bulkGet(liveKeys),
      t.packs.bulkGet(carriedKeys),
    ]);
    if ([...stillRows, ...stillLive, ...stillPacks].some((row) => !row)) return 0;
    let packSeq: number | undefined;
    if (packBytes) {
      packSeq = await t.packs.add({ docId, bytes: packBytes });
      await t.changes.bulkDelete(liveKeys);
    }
    let removed: number[];
    let remaining: number;
    if (merged) {
      removed = keys.slice(from);
      await t.updates.bulkDelete(removed);
      await t.updates.put({ seq: removed[0], docId, bytes: merged.bytes, z: 1 });
      remaining = from + 1;
    } else {
      // One row refers to the one pack that now holds every change the rows referred to.
      removed = keys;
      await t.updates.bulkDelete(removed);
      await t.packs.bulkDelete(carriedKeys);
      const tails = packed.map((entry) => entry.tail ?? 0);
      await t.updates.put({ seq: keys[0], docId, pack: packSeq!, tails });
      remaining = 1;
    }
    // Rows committed meanwhile are counted on top of the rows this compaction left.
    const updateCount = remaining + (committedMeanwhile ? now.updateCount - info.updateCount : 0);
    await t.docs.put({
      ...now,
      // Every row merged: recomputed from the content (D2). A tail or references only: the
      // content is unchanged, so is the state vector. With a commit meanwhile the stored one
      // already covers the merged rows and the new ones.
      stateVector: (committedMeanwhile ? undefined : merged?.stateVector) ?? now.stateVector,
      updateCount,
    });
    return rows.length - remaining + 1;
  });
}

/** Stored size of a row's update, as far as tiers go (deflated rows by their stored bytes). */
function rowSize(row: UpdateRecord): number {
  if (row.bytes) return row.bytes.byteLength;
  if (row.ref !== undefined) return row.tail ?? 0;
  return (row.tails ?? []).reduce((sum, tail) => sum + tail, 0);
}

/** The first row to merge: 0 for all, undefined when tiers say nothing is worth merging. */
function tieredStart(rows: readonly UpdateRecord[], tiered: boolean): number | undefined {
  if (!tiered) return 0;
  return tailToMerge(rows.map(rowSize))?.from;
}
