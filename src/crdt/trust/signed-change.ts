/**
 * Signed changes (issue 8 point 5, rules SC1–SC20 in docs/protocol-drafts/signed-change.md): each
 * Yjs update a device makes travels in an envelope its device key signed, byte for byte as the
 * author produced it, so relays and multi-hop forwarding carry the signature unchanged and every
 * peer verifies it before applying or forwarding. The per-author sequence numbers give a change
 * vector that replaces the Yjs state vector for reconciliation (SC15–SC18).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { DeviceId } from '../../domain/types';
import { err, ok, type Result } from '../../lib/result';
import { docKind, isDocId, type DocId } from '../doc-id';
import { budgets } from '../policy/budgets';
import { scanUpdate } from '../policy/update-reader';
import { createClientIdBook } from './client-ids';
import { toB64url } from './encoding';
import type { Member, PublicKeyB64, Signer, Verifier } from './types';

/** One signed change: the author's Yjs update for one document, and the author's signature. */
export interface SignedChange {
  docId: DocId;
  author: DeviceId;
  /** Per author, per document, from 1 with no gaps (SC5). */
  seq: number;
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

const envelopeVersion = 1;
const signingDomain = 'pamoja-change-v1';
const signatureBytes = 64;
const authorPattern = /^d[0-9a-f]{16}$/;
/** Document kinds as one byte, then their digits as one varuint (SC2). */
const docTags = { network: 0, register: 1, patient: 2 } as const;
const docDigits = { network: 0, register: 8, patient: 14 } as const;
const docPrefix = { network: 'network', register: 'register:', patient: 'patient:' } as const;

const malformed = (detail: string) => err<ChangeRefusal>({ reason: 'malformed', detail });

/** lib0's `readUint8` reads past the end as `undefined`; peer bytes must end the decode instead. */
function readByte(decoder: decoding.Decoder): number {
  if (decoder.pos >= decoder.arr.length) throw new Error('unexpected end of envelope');
  return decoding.readUint8(decoder);
}

const isSeq = (seq: unknown): seq is number =>
  typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1;

/** Why the envelope's fields cannot be signed or sent as they are, if they cannot. */
function fieldProblem(change: Omit<SignedChange, 'signature'>): string | undefined {
  if (!isDocId(change.docId)) return 'document id';
  if (!authorPattern.test(change.author)) return 'author id';
  if (!isSeq(change.seq)) return 'sequence number';
  const max = budgets[docKind(change.docId)].maxUpdateBytes;
  if (!(change.update instanceof Uint8Array) || change.update.length < 2) return 'update';
  if (change.update.length > max) return `update over ${max} bytes`;
  return undefined;
}

/** The bytes the author signs (SC4): domain, document, author, sequence, update. */
export function changeSigningBytes(change: Omit<SignedChange, 'signature'>): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, signingDomain);
  encoding.writeVarString(encoder, change.docId);
  encoding.writeVarString(encoder, change.author);
  encoding.writeVarUint(encoder, change.seq);
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
  encoding.writeVarUint(encoder, change.seq);
}

/**
 * Wire form (SC2): version · doc tag · doc digits (varuint, not for the network) · author (8
 * bytes) · seq (varuint) · signature (64 bytes) · update (the rest). 82–84 bytes of overhead.
 */
export function encodeSignedChange(change: SignedChange): Uint8Array {
  const encoder = encoding.createEncoder();
  writeHeader(encoder, change);
  encoding.writeUint8Array(encoder, change.signature);
  encoding.writeUint8Array(encoder, change.update);
  return encoding.toUint8Array(encoder);
}

/** Strict decoding (SC3): one accepted byte form per change; never throws. */
export function decodeSignedChange(bytes: Uint8Array): Result<SignedChange, ChangeRefusal> {
  if (!(bytes instanceof Uint8Array)) return malformed('not bytes');
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
    const seq = decoding.readVarUint(decoder);
    const headerEnd = decoder.pos;
    if (bytes.length - headerEnd < signatureBytes) return malformed('truncated signature');
    const signature = bytes.slice(headerEnd, headerEnd + signatureBytes);
    const update = bytes.slice(headerEnd + signatureBytes);
    const change = { docId: docId as DocId, author: author as DeviceId, seq, update, signature };
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
    return err({ reason: 'bad-signature', detail: `change ${change.seq} of ${change.author}` });
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

/** Highest contiguous sequence number held per author, for one document (SC15). */
export type ChangeVector = Map<DeviceId, number>;

/** `next`: the vector moved on; `known`: held already; `gap`: an earlier change is missing. */
export type NoteOutcome = 'next' | 'known' | 'gap';

/** Records that change `seq` of `author` is held (SC16). A gap leaves the vector as it was. */
export function noteChange(vector: ChangeVector, author: DeviceId, seq: number): NoteOutcome {
  const held = vector.get(author) ?? 0;
  if (seq <= held) return 'known';
  if (seq !== held + 1) return 'gap';
  vector.set(author, seq);
  return 'next';
}

/** Changes `theirs` holds that `mine` lacks, per author, as inclusive ranges (SC17). */
export function missingFrom(
  mine: ChangeVector,
  theirs: ChangeVector,
): Array<{ author: DeviceId; fromSeq: number; toSeq: number }> {
  const missing: Array<{ author: DeviceId; fromSeq: number; toSeq: number }> = [];
  for (const [author, seq] of theirs) {
    const held = mine.get(author) ?? 0;
    if (seq > held) missing.push({ author, fromSeq: held + 1, toSeq: seq });
  }
  return missing.sort((a, b) => (a.author < b.author ? -1 : a.author > b.author ? 1 : 0));
}

/** SHA-256 over the sorted (author, seq) entries, base64url (SC18); equal vectors, equal digests. */
export async function changeVectorDigest(vector: ChangeVector): Promise<string> {
  const entries = [...vector].filter(([, seq]) => seq > 0);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const [author, seq] of entries) {
    encoding.writeVarString(encoder, author);
    encoding.writeVarUint(encoder, seq);
  }
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new Uint8Array(encoding.toUint8Array(encoder)),
  );
  return toB64url(new Uint8Array(digest));
}
