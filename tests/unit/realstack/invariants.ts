/**
 * What must be true of a world once it has healed (docs/protocol.md P1–P4): every holder of a
 * document has the same decoded content, in storage and in every open tab; every device holds
 * what its interest says it must; stored state vectors claim only what storage holds; every write
 * a tab was told was saved is present. Problems are collected, not thrown one by one, so a
 * failure shows all of them.
 */
import * as Y from 'yjs';
import type { CtcId } from '../../../src/domain/types';
import { docKind, patientDocId, registerDocId, type DocId } from '../../../src/crdt/doc-id';
import { decodeSignedChange } from '../../../src/crdt/trust/signed-change';
import type { Device, Tab, World } from './world';

/** A write the service resolved as saved. */
export interface Saved {
  tab: string;
  ctcId: CtcId;
  kind: 'registration' | 'visit' | 'result' | 'status' | 'demographics' | 'correction';
  /** The entry it added (registrations are checked by their record and register summary). */
  entryId?: string;
}

const ARRAY_ROOTS = new Set([
  'visits',
  'results',
  'appointments',
  'statusChanges',
  'demographicsLog',
  'access',
  'tracing',
  'alertAcks',
]);

/** The decoded content of a document: every non-empty root, as plain data. */
export function decodeDoc(doc: Y.Doc): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of [...doc.share.keys()].sort()) {
    const value = ARRAY_ROOTS.has(name) ? doc.getArray(name).toJSON() : doc.getMap(name).toJSON();
    const empty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
    if (!empty) out[name] = value;
  }
  return out;
}

/** Order-insensitive, stable text of plain data (Y.Map key order differs between replicas). */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}

function entryIds(content: Record<string, unknown>): Set<string> {
  const ids = new Set<string>();
  for (const name of ARRAY_ROOTS) {
    const list = content[name];
    if (!Array.isArray(list)) continue;
    for (const entry of list as unknown[])
      if (entry && typeof entry === 'object' && typeof (entry as { id?: unknown }).id === 'string')
        ids.add((entry as { id: string }).id);
  }
  return ids;
}

interface StoredDoc {
  content: Record<string, unknown>;
  /** The stored state vector claims changes the stored updates do not hold. */
  claimsMore: boolean;
  /** Content the stored signed changes do not rebuild (it could never be sent on, SC14). */
  unsigned: boolean;
}

/** What the device's storage holds, read as a restarted tab would, without writing anything. */
async function readStorage(tab: Tab): Promise<Map<DocId, StoredDoc>> {
  const out = new Map<DocId, StoredDoc>();
  for (const info of await tab.store.listDocs()) {
    const doc = new Y.Doc();
    for (const update of await tab.store.loadUpdates(info.docId)) Y.applyUpdate(doc, update);
    const stored = Y.decodeStateVector(info.stateVector);
    const held = Y.decodeStateVector(Y.encodeStateVector(doc));
    const claimsMore = [...stored].some(([client, clock]) => (held.get(client) ?? 0) < clock);
    // SC14: what the device holds, it can send on: its signed changes alone rebuild it.
    const fromChanges = new Y.Doc();
    for (const change of await tab.store.loadChanges(info.docId)) {
      const decoded = decodeSignedChange(change.bytes);
      if (decoded.ok) Y.applyUpdate(fromChanges, decoded.value.update);
    }
    const content = decodeDoc(doc);
    const unsigned = canonical(decodeDoc(fromChanges)) !== canonical(content);
    out.set(info.docId, { content, claimsMore, unsigned });
    doc.destroy();
    fromChanges.destroy();
  }
  return out;
}

const facilityOfPatient = (docId: DocId): string =>
  docId.slice('patient:'.length, 'patient:'.length + 8);

/** Documents every device must hold: the network doc, every register, own-facility patients. */
function mustHold(device: Device, docId: DocId): boolean {
  const kind = docKind(docId);
  if (kind !== 'patient') return true;
  return facilityOfPatient(docId) === device.spec.facility.code;
}

export async function problemsAfterHealing(
  world: World,
  saved: readonly Saved[],
): Promise<string[]> {
  const problems: string[] = [];
  const storage = new Map<Device, Map<DocId, StoredDoc>>();
  for (const device of world.devices) {
    const reader = device.tabs[0];
    if (!reader) {
      problems.push(`${device.name} has no open tab to read with`);
      continue;
    }
    storage.set(device, await readStorage(reader));
  }
  const allDocs = new Set<DocId>();
  for (const stored of storage.values()) for (const docId of stored.keys()) allDocs.add(docId);

  for (const docId of [...allDocs].sort()) {
    const holders = [...storage].filter(([, stored]) => stored.has(docId));
    for (const device of world.devices)
      if (mustHold(device, docId) && !storage.get(device)?.has(docId))
        problems.push(`${device.name} does not hold ${docId}`);
    const [first] = holders;
    if (!first) continue;
    const reference = canonical(first[1].get(docId)?.content);
    for (const [device, stored] of holders) {
      const doc = stored.get(docId) as StoredDoc;
      if (doc.claimsMore)
        problems.push(`${device.name} stores a state vector of ${docId} beyond its stored updates`);
      if (doc.unsigned)
        problems.push(`${device.name} holds content of ${docId} its signed changes do not carry`);
      if (canonical(doc.content) !== reference)
        problems.push(`${device.name} stores other content of ${docId} than ${first[0].name}`);
      for (const tab of device.tabs) {
        const live = canonical(decodeDoc(await tab.repo.get(docId)));
        if (live !== canonical(doc.content))
          problems.push(`tab ${tab.id} shows other content of ${docId} than its storage`);
      }
    }
  }

  for (const write of saved) {
    const docId = patientDocId(write.ctcId);
    for (const [device, stored] of storage) {
      const doc = stored.get(docId);
      if (!doc) continue;
      if (write.entryId !== undefined && !entryIds(doc.content).has(write.entryId))
        problems.push(
          `${device.name} lacks ${write.kind} ${write.entryId} of ${write.ctcId} (saved by ${write.tab})`,
        );
      if (write.kind === 'registration') {
        const meta = doc.content.meta as { ctcId?: unknown } | undefined;
        if (meta?.ctcId !== write.ctcId)
          problems.push(
            `${device.name} holds ${docId} without its registration (saved by ${write.tab})`,
          );
      }
    }
    if (write.kind === 'registration') {
      const registerId = registerDocId(facilityOfPatient(docId) as never);
      for (const [device, stored] of storage) {
        const patients = stored.get(registerId)?.content.patients as
          Record<string, unknown> | undefined;
        if (!patients?.[write.ctcId])
          problems.push(
            `${device.name}'s ${registerId} does not list ${write.ctcId} (saved by ${write.tab})`,
          );
      }
    }
  }
  return problems;
}
