/**
 * Signed changes as the repository stores them (SC14, SC21): the envelope's bytes, a unique id
 * (its signature) and the clocks it reaches, so catch-up can pick the stored changes a peer's
 * state vector lacks without decoding any of them.
 */
import * as Y from 'yjs';
import type { DeviceId } from '../../domain/types';
import { docKind, type DocId } from '../doc-id';
import type { CoalescedRun, StoredChange } from '../ports';
import { toB64url } from './encoding';
import {
  decodeSignedChange,
  encodeSignedChange,
  signChange,
  type SignedChange,
} from './signed-change';
import type { Signer } from './types';

/** Signs a change this device made and returns it as stored. */
export type ChangeSigner = (docId: DocId, update: Uint8Array) => Promise<StoredChange>;

/** SC21: per client id of the update's structs, the clock just after its last struct. */
export function reachOf(update: Uint8Array): Uint8Array {
  return Y.encodeStateVector(Y.parseUpdateMeta(update).to);
}

export function storedChangeOf(change: SignedChange, bytes: Uint8Array): StoredChange {
  return { id: toB64url(change.signature), bytes, reach: reachOf(change.update) };
}

/** SC1: every change of this device is signed by its key, whoever it is sent to later. */
export function createChangeSigner(signer: Signer, author: DeviceId): ChangeSigner {
  return async (docId, update) => {
    const change = await signChange(signer, { docId, author, update });
    return storedChangeOf(change, encodeSignedChange(change));
  };
}

/**
 * SC15: the stored changes a peer whose state vector is `remote` lacks: those reaching beyond it
 * for some client. A change with no structs (a bare delete) reaches nothing and is sent only
 * live; the content policy refuses bare deletes from peers anyway (U6).
 */
export function changesBeyond(
  changes: readonly StoredChange[],
  remote: Uint8Array,
): StoredChange[] {
  const clocks = Y.decodeStateVector(remote);
  return changes.filter((change) => {
    for (const [client, clock] of Y.decodeStateVector(change.reach)) {
      if ((clocks.get(client) ?? 0) < clock) return true;
    }
    return false;
  });
}

/**
 * ST1–ST4 (docs/protocol.md §23, decision 0023): at compaction, this device replaces each run
 * of its own consecutive stored changes to a document by one change of their merged update,
 * signed by the same key. The merged update holds exactly the structs and deletes of the run
 * (`Y.mergeUpdates`, no re-encoding of anyone else's data), all under this device's client ids,
 * so a peer verifies it with the same rules as any change (SC6–SC12, WR*). Never another
 * device's change, never the network document (membership ops stay as signed, MS1–MS6).
 */
export type ChangeCoalescer = (
  docId: DocId,
  changes: readonly StoredChange[],
) => Promise<CoalescedRun[]>;

/** ST3: a merged change stays small enough to travel in one message of changes (SC22). */
export const coalescedUpdateBytes = 64 * 1024;

export function createChangeCoalescer(signer: Signer, author: DeviceId): ChangeCoalescer {
  const sign = createChangeSigner(signer, author);
  return async (docId, changes) => {
    if (docKind(docId) === 'network') return [];
    const runs: Array<{ ids: string[]; updates: Uint8Array[]; bytes: number }> = [];
    let run: (typeof runs)[number] | undefined;
    for (const change of changes) {
      const decoded = decodeSignedChange(change.bytes);
      const own = decoded.ok && decoded.value.author === author && decoded.value.docId === docId;
      const update = decoded.ok ? decoded.value.update : undefined;
      if (!own || !update || (run && run.bytes + update.byteLength > coalescedUpdateBytes)) {
        run = undefined;
        if (!own || !update) continue;
      }
      if (!run) {
        run = { ids: [], updates: [], bytes: 0 };
        runs.push(run);
      }
      run.ids.push(change.id);
      run.updates.push(update);
      run.bytes += update.byteLength;
    }
    const out: CoalescedRun[] = [];
    for (const { ids, updates } of runs) {
      if (ids.length < 2) continue;
      const merged = Y.mergeUpdates(updates);
      out.push({
        replaces: ids,
        change: await sign(docId, merged),
        updateLength: merged.byteLength,
      });
    }
    return out;
  };
}
