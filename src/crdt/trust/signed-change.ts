/**
 * Signed changes (issue 8 point 5, docs/protocol.md §23): each
 * Yjs update a device makes travels in an envelope its device key signed, byte for byte as the
 * author produced it, so relays and multi-hop forwarding carry the signature unchanged and every
 * peer verifies it before applying or forwarding. The Yjs client ids of a change are its
 * author's own (SC10, SC13), so the Yjs state vector already says, per author, which changes a
 * replica holds: reconciliation keeps it, and catch-up sends the stored changes that reach
 * beyond the peer's vector (SC15).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { DeviceId } from '../../domain/types';
import { err, ok, type Result } from '../../lib/result';
import { docKind, isDocId, type DocId } from '../doc-id';
import { budgets } from '../policy/budgets';
import { scanUpdate } from '../policy/update-reader';
import { createClientIdBook } from './client-ids';
import type { Member, PublicKeyB64, Signer, Verifier } from './types';

/** One signed change: the author's Yjs update for one document, and the author's signature. */
export interface SignedChange {
  docId: DocId;
  author: DeviceId;
  update: Uint8Array;
  signature: Uint8Array;
}

export const ChangeRefusalReason = {
  badSignature: 'bad-signature',
  unknownAuthor: 'unknown-author',
  foreignClient: 'foreign-client',
  malformed: 'malformed',
} as const;
export type ChangeRefusalReason = (typeof ChangeRefusalReason)[keyof typeof ChangeRefusalReason];

export interface ChangeRefusal {
  reason: ChangeRefusalReason;
  detail: string;
}

/** What a verified change tells the write rules: whose structs its delete set removes (SC12). */
export interface VerifiedChange {
  deletesOf: number[];
}

const envelopeVersion = 2;
const signingDomain = 'pamoja-change-v2';
const signatureBytes = 64;
const authorPattern = /^d[0-9a-f]{16}$/;
/** Document kinds as one byte, then their digits as one varuint (SC2). */
const docTags = { network: 0, register: 1, patient: 2, report: 3 } as const;
const docDigits = { network: 0, register: 8, patient: 14, report: 8 } as const;
const docPrefix = {
  network: 'network',
  register: 'register:',
  patient: 'patient:',
  report: 'report:',
} as const;

const malformed = (detail: string) => err<ChangeRefusal>({ reason: 'malformed', detail });

/** lib0's `readUint8` reads past the end as `undefined`; peer bytes must end the decode instead. */
function readByte(decoder: decoding.Decoder): number {
  if (decoder.pos >= decoder.arr.length) throw new Error('unexpected end of envelope');
  return decoding.readUint8(decoder);
}

/** Why the envelope's fields cannot be signed or sent as they are, if they cannot. */
function fieldProblem(change: Omit<SignedChange, 'signature'>): string | undefined {
  if (!isDocId(change.docId)) return 'document id';
  if (!authorPattern.test(change.author)) return 'author id';
  const max = budgets[docKind(change.docId)].maxUpdateBytes;
  if (!(change.update instanceof Uint8Array) || change.update.length < 2) return 'update';
  if (change.update.length > max) return `update over ${max} bytes`;
  return undefined;
}

/** The bytes the author signs (SC4): domain, document, author, update. */
export function changeSigningBytes(change: Omit<SignedChange, 'signature'>): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, signingDomain);
  encoding.writeVarString(encoder, change.docId);
  encoding.writeVarString(encoder, change.author);
  encoding.writeUint8Array(encoder, change.update);
  return encoding.toUint8Array(encoder);
}

/** Signs a change the device made (SC1). Throws only on fields the device itself got wrong. */
export async function signChange(
  signer: Signer,
  change: Omit<SignedChange, 'signature'>,
): Promise<SignedChange> {
  const problem = fieldProblem(change);
  if (problem) throw new Error(`cannot sign a change with a bad ${problem}`);
  return { ...change, signature: await signer.sign(changeSigningBytes(change)) };
}

function writeHeader(encoder: encoding.Encoder, change: Omit<SignedChange, 'signature'>): void {
  const kind = docKind(change.docId);
  encoding.writeUint8(encoder, envelopeVersion);
  encoding.writeUint8(encoder, docTags[kind]);
  if (kind !== 'network') {
    encoding.writeVarUint(encoder, Number(change.docId.slice(docPrefix[kind].length)));
  }
  for (let i = 1; i < change.author.length; i += 2) {
    encoding.writeUint8(encoder, parseInt(change.author.slice(i, i + 2), 16));
  }
}

/**
 * Wire form (SC2): version · doc tag · doc digits (varuint, not for the network) · author (8
 * bytes) · signature (64 bytes) · update (the rest). 74–81 bytes of overhead.
 */
export function encodeSignedChange(change: SignedChange): Uint8Array {
  const encoder = encoding.createEncoder();
  writeHeader(encoder, change);
  encoding.writeUint8Array(encoder, change.signature);
  encoding.writeUint8Array(encoder, change.update);
  return encoding.toUint8Array(encoder);
}

/**
 * A change is read at several steps of its way in (session, host, policy) as the same bytes
 * object: each is decoded once. Keyed weakly, so nothing outlives the bytes; callers never
 * change what they are given.
 */
const decoded = new WeakMap<Uint8Array, Result<SignedChange, ChangeRefusal>>();

/** Strict decoding (SC3): one accepted byte form per change; never throws. */
export function decodeSignedChange(bytes: Uint8Array): Result<SignedChange, ChangeRefusal> {
  if (!(bytes instanceof Uint8Array)) return malformed('not bytes');
  const known = decoded.get(bytes);
  if (known) return known;
  const result = decodeFresh(bytes);
  decoded.set(bytes, result);
  return result;
}

function decodeFresh(bytes: Uint8Array): Result<SignedChange, ChangeRefusal> {
  try {
    const decoder = decoding.createDecoder(bytes);
    const version = readByte(decoder);
    if (version !== envelopeVersion) return malformed(`envelope version ${version}`);
    const tag = readByte(decoder);
    const kind = (Object.keys(docTags) as Array<keyof typeof docTags>).find(
      (k) => docTags[k] === tag,
    );
    if (!kind) return malformed(`document tag ${tag}`);
    let docId = docPrefix[kind];
    if (kind !== 'network') {
      const digits = String(decoding.readVarUint(decoder));
      if (digits.length > docDigits[kind]) return malformed('document number too long');
      docId += digits.padStart(docDigits[kind], '0');
    }
    let author = 'd';
    for (let i = 0; i < 8; i++) author += readByte(decoder).toString(16).padStart(2, '0');
    const headerEnd = decoder.pos;
    if (bytes.length - headerEnd < signatureBytes) return malformed('truncated signature');
    const signature = bytes.slice(headerEnd, headerEnd + signatureBytes);
    const update = bytes.slice(headerEnd + signatureBytes);
    const change = { docId: docId as DocId, author: author as DeviceId, update, signature };
    const problem = fieldProblem(change);
    if (problem) return malformed(problem);
    // A varuint written with extra continuation bytes decodes to the same value: refuse it.
    const canonical = encoding.createEncoder();
    writeHeader(canonical, change);
    const header = encoding.toUint8Array(canonical);
    if (header.length !== headerEnd || header.some((b, i) => b !== bytes[i])) {
      return malformed('non-canonical header');
    }
    return ok(change);
  } catch (error) {
    return malformed(`truncated envelope: ${String(error)}`);
  }
}

const sharedClientIdBook = createClientIdBook();

/**
 * Verifies a change from a peer (SC6–SC12) against the member the membership history names as its
 * author. Never throws. Roles, revocation and places are the write rules' business (write-rules.ts).
 */
export async function verifySignedChange(
  change: SignedChange,
  member: Member | undefined,
  verifier: Verifier,
  clientIdsOf: (key: PublicKeyB64) => Promise<ReadonlySet<number>> = sharedClientIdBook,
): Promise<Result<VerifiedChange, ChangeRefusal>> {
  const problem = fieldProblem(change);
  if (problem) return malformed(problem);
  if (!member || member.deviceId !== change.author) {
    return err({ reason: 'unknown-author', detail: `${change.author} is not enrolled` });
  }
  const signed = await verifier.verify(
    member.publicKey,
    member.algorithm,
    change.signature,
    changeSigningBytes(change),
  );
  if (!signed)
    return err({
      reason: 'bad-signature',
      detail: `a change of ${change.author} to ${change.docId}`,
    });
  const budget = budgets[docKind(change.docId)];
  const scanned = scanUpdate(change.update, budget);
  if (!scanned.ok) return malformed(scanned.error.detail);
  const own = await clientIdsOf(member.publicKey);
  const foreign = scanned.value.structs.find((struct) => !own.has(struct.client));
  if (foreign) {
    return err({ reason: 'foreign-client', detail: `structs of client ${foreign.client}` });
  }
  const deletesOf = [...new Set(scanned.value.deletes.map((range) => range.client))].sort(
    (a, b) => a - b,
  );
  return ok({ deletesOf });
}
