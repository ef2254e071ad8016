/**
 * Signed changes as the repository stores them (SC14, SC21): the envelope's bytes, a unique id
 * (its signature) and the clocks it reaches, so catch-up can pick the stored changes a peer's
 * state vector lacks without decoding any of them.
 */
import * as Y from 'yjs';
import type { DeviceId } from '../../domain/types';
import type { DocId } from '../doc-id';
import type { StoredChange } from '../ports';
import { toB64url } from './encoding';
import { encodeSignedChange, signChange, type SignedChange } from './signed-change';
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
