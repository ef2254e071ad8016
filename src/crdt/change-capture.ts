/**
 * Capturing a change as a Yjs update, and the few Yjs details the repository depends on:
 * pending updates, and telling a duplicate update apart without touching the document.
 */
import * as Y from 'yjs';
import { decodeUpdateOnce } from './decoded-updates';
import { docKind, facilityOfRegisterDoc, type DocId } from './doc-id';
import { isEntry } from './entries';
import { entryLists } from './patient-doc';
import { changedSummaryKeys, registerPatients } from './register-doc';

/** Transaction origin of writes made on this device. */
export const localOrigin = 'local';

/** Bytes of updates that wait inside Yjs for a dependency that has not arrived. */
export function pendingSize(doc: Y.Doc): number {
  const store = doc.store as unknown as {
    pendingStructs: { update: Uint8Array } | null;
    pendingDs: Uint8Array | null;
  };
  return (store.pendingStructs?.update.length ?? 0) + (store.pendingDs?.length ?? 0);
}

interface StructLike {
  id: { client: number; clock: number };
  length: number;
  deleted: boolean;
}

/**
 * D12: whether an update holds nothing the document lacks: every struct is within the
 * document's state vector and every range its delete set names is already deleted here.
 * Costs a decode of the update only, never a copy or an encode of the document, so a duplicate
 * of a large register is as cheap as a duplicate of a small record. Decoding an update that is
 * not well formed throws; the caller treats that as "not known to be a duplicate".
 */
export function holdsNothingNew(doc: Y.Doc, update: Uint8Array): boolean {
  const { structs, ds } = decodeUpdateOnce(update);
  for (const struct of structs) {
    if (struct instanceof Y.Skip) continue;
    if (struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) return false;
  }
  for (const [client, ranges] of ds.clients) {
    const known = Y.getState(doc.store, client);
    const local = doc.store.clients.get(client) as StructLike[] | undefined;
    for (const range of ranges) {
      if (range.len === 0) continue;
      const end = range.clock + range.len;
      if (end > known || !local) return false;
      let index = Y.findIndexSS(
        local as unknown as Parameters<typeof Y.findIndexSS>[0],
        range.clock,
      );
      for (; index < local.length; index += 1) {
        const struct = local[index]!;
        if (struct.id.clock >= end) break;
        if (!struct.deleted) return false;
      }
    }
  }
  return true;
}

export interface CapturedChange<T> {
  /** The Yjs update the change produced; null when it changed nothing. */
  update: Uint8Array | null;
  /** Register rows the change touched (re-projected to directory rows). */
  changedKeys: Set<string>;
  /** Facilities whose clinical data the change added. */
  authors: Set<string>;
  result: T;
}

/**
 * Run `change` and collect the Yjs update it produced, the register rows it touched and the
 * facilities whose data it added.
 */
export function captureChange<T>(doc: Y.Doc, docId: DocId, change: () => T): CapturedChange<T> {
  const kind = docKind(docId);
  const updates: Uint8Array[] = [];
  const changedKeys = new Set<string>();
  const authors = new Set<string>();
  const onUpdate = (update: Uint8Array) => updates.push(update);
  const registerFacility = facilityOfRegisterDoc(docId);
  const onRegister = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    for (const key of changedSummaryKeys(events)) changedKeys.add(key);
    for (const event of events) {
      if (event.path.length !== 0 || !registerFacility) continue;
      for (const change of event.changes.keys.values()) {
        if (change.action === 'add') authors.add(registerFacility);
      }
    }
  };
  const onEntries = (event: Y.YArrayEvent<unknown>) => {
    for (const item of event.changes.added) {
      for (const value of item.content.getContent() as unknown[]) {
        if (isEntry(value)) authors.add(value.stamp.facilityCode);
      }
    }
  };
  const patients = kind === 'register' ? registerPatients(doc) : undefined;
  const lists = kind === 'patient' ? entryLists(doc) : [];
  doc.on('update', onUpdate);
  patients?.observeDeep(onRegister);
  for (const list of lists) list.observe(onEntries);
  let result: T;
  try {
    result = doc.transact(change, localOrigin);
  } finally {
    doc.off('update', onUpdate);
    patients?.unobserveDeep(onRegister);
    for (const list of lists) list.unobserve(onEntries);
  }
  const update =
    updates.length === 0 ? null : updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
  return { update, changedKeys, authors, result };
}
