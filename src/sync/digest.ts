/**
 * R1–R3: per-document digests and range fingerprints. A digest depends only on the document id
 * and the *set* of (client, clock) pairs of its state vector, so two replicas with the same state
 * vector always agree, whatever order Yjs lists clients in.
 */
import * as encoding from 'lib0/encoding';
import { digest as sha256 } from 'lib0/hash/sha256';
import type { DocId } from '../crdt/doc-id';
import { err, ok, type Result } from '../lib/result';
import { FINGERPRINT_BYTES } from './limits';
import { Reader } from './reader';

/** Largest clock Yjs can produce (it encodes clocks as varuints up to 2^53). */
const MAX_CLOCK = Number.MAX_SAFE_INTEGER;
const MAX_CLIENTS = 1_000_000;

/**
 * Decodes a state vector strictly: every entry a (client, clock) pair, no duplicate client, no
 * trailing bytes. Peer-supplied vectors go through this before they reach Yjs.
 */
export function decodeStateVector(sv: Uint8Array): Result<Map<number, number>, string> {
  try {
    const r = new Reader(sv);
    const count = r.varUint(MAX_CLIENTS);
    if (count * 2 > r.remaining) return err('state vector shorter than its count');
    const clocks = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const client = r.varUint(MAX_CLOCK);
      const clock = r.varUint(MAX_CLOCK);
      if (clocks.has(client)) return err('duplicate client in state vector');
      clocks.set(client, clock);
    }
    r.end();
    return ok(clocks);
  } catch (error) {
    return err(String(error));
  }
}

/** R1: the item hash of a document: sha256(id ‖ 0 ‖ sorted (client, clock) pairs), 16 bytes. */
export function itemHash(docId: DocId, stateVector: Uint8Array): Uint8Array {
  const decoded = decodeStateVector(stateVector);
  // A host returning an undecodable vector of its own is a bug; hashing the raw bytes keeps the
  // engine working (the doc will just look different from everyone else's).
  const pairs = decoded.ok
    ? [...decoded.value].filter(([, clock]) => clock > 0).sort((a, b) => a[0] - b[0])
    : [];
  const e = encoding.createEncoder();
  encoding.writeVarString(e, docId);
  encoding.writeUint8(e, 0);
  if (decoded.ok) {
    encoding.writeVarUint(e, pairs.length);
    for (const [client, clock] of pairs) {
      encoding.writeVarUint(e, client);
      encoding.writeVarUint(e, clock);
    }
  } else {
    encoding.writeVarUint8Array(e, stateVector);
  }
  return sha256(encoding.toUint8Array(e)).slice(0, FINGERPRINT_BYTES);
}

/** R2: a range's fingerprint is the XOR of its items' hashes (order-free, incremental). */
export function xorInto(target: Uint8Array, hash: Uint8Array): void {
  for (let i = 0; i < target.length; i++) {
    target[i] = (target[i] as number) ^ (hash[i] as number);
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
