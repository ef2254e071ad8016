/**
 * The network's membership history kept in the network document (protocol.md §22, MS1–MS6):
 *   membership  Y.Map<opId, string>   the op's canonical JSON text
 * Ops are content-addressed and never change, so a key is written once and only ever with the
 * same text; the document replicates them like any other data, and every replica folds the same
 * set into the same members (membership-history.ts). What arrives from peers is verified before
 * it is stored (remote-check.ts, `checkMembershipOps`).
 */
import type * as Y from 'yjs';
import { decodeOp, verifyOp, MAX_OP_BYTES, type MembershipOp } from './trust/membership-op';
import type { Verifier } from './trust/types';
import { utf8 } from './trust/encoding';

export const membershipRoot = 'membership';

/** MS2: an op id is base64url of a SHA-256 digest. */
export const isOpId = (key: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(key);
export const isOpText = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 2 && value.length <= MAX_OP_BYTES;

const textDecoder = new TextDecoder();

/** MS1: writes the ops this document does not hold yet (inside the caller's transaction). */
export function putMembershipOps(doc: Y.Doc, ops: readonly MembershipOp[]): number {
  const map = doc.getMap<string>(membershipRoot);
  let written = 0;
  for (const op of ops) {
    if (map.has(op.id)) continue;
    map.set(op.id, textDecoder.decode(op.bytes));
    written += 1;
  }
  return written;
}

/** Every stored op's bytes, the creation op first when there is one. */
export function readMembershipOps(doc: Y.Doc): Uint8Array[] {
  const out: Uint8Array[] = [];
  doc.getMap<unknown>(membershipRoot).forEach((value, key) => {
    if (isOpId(key) && isOpText(value)) out.push(utf8(value));
  });
  return out;
}

export function holdsMembershipOp(doc: Y.Doc, id: string): boolean {
  return doc.getMap<unknown>(membershipRoot).has(id);
}

export interface MembershipCheckContext {
  verifier: Verifier;
  /** The network this device belongs to, once it has a history. */
  networkId?: string;
  /**
   * SC9, MS11: verified ops of a change, taken into the history before the change's author is
   * looked up: a newcomer's first change to the network document carries its own admission
   * (signed by whoever admitted it), and ops are valid on their own signatures.
   */
  learn?(ops: readonly Uint8Array[]): Promise<void>;
}

/**
 * MS3–MS5: new ops from a peer must each decode to the id they are stored under, verify, and be
 * of this device's network. Whether an op has authority is the fold's business (MB11), not
 * ingress: a valid op of a non-admin is kept and takes no effect, like on every other replica.
 */
export async function checkMembershipOps(
  ops: readonly { id: string; text: string }[],
  context: MembershipCheckContext,
): Promise<string | undefined> {
  let network = context.networkId;
  for (const { id, text } of ops) {
    const decoded = await decodeOp(utf8(text));
    if (!decoded.ok) return `op ${id}: ${decoded.error}`;
    const op = decoded.value;
    if (op.id !== id) return `op stored under ${id} is ${op.id}`;
    const of = op.body.network === '' ? op.id : op.body.network;
    network ??= of;
    if (of !== network) return `op ${id} is of network ${of}, not ${network}`;
    const verified = await verifyOp(op, context.verifier);
    if (!verified.ok) return `op ${id}: ${verified.error.type}`;
  }
  return undefined;
}
