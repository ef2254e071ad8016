/**
 * Operations of a network's membership history (docs/protocol-drafts/membership.md MB1–MB9):
 * signed, content-addressed, each naming the operations its author had seen (its parents), so
 * the history is a hash DAG rooted at the network's creation. This module builds, encodes,
 * decodes and verifies single operations; `membership-history.ts` folds them into members.
 * Decoding is strict and total: peer bytes give an op or a refusal, never a throw.
 */
import * as v from 'valibot';
import type { DeviceId, FacilityCode } from '../../domain/types';
import { err, ok, type Result } from '../../lib/result';
import { deviceIdMatchesKey } from './device-key';
import { fromB64url, toB64url, utf8 } from './encoding';
import { checkRedeemProof } from './invite';
import type {
  AdminScope,
  DeviceRole,
  KeyAlgorithm,
  PublicKeyB64,
  ReadScope,
  Signer,
  Verifier,
} from './types';

/** MB2: an encoded operation above this is refused before it is parsed. */
export const MAX_OP_BYTES = 4096;
const SIGN_LABEL = 'pamoja-membership-v1\n';

/** What a device is enrolled as (the grant of an enrolment or an invite). */
export interface Grant {
  role: DeviceRole;
  facilityCode?: FacilityCode;
  slot?: number;
  readScope?: ReadScope;
}

export interface DeviceKeyRef {
  deviceId: DeviceId;
  publicKey: PublicKeyB64;
  algorithm: KeyAlgorithm;
}

export type MembershipAction =
  | { type: 'create'; name: string; grant: Grant }
  | { type: 'enrol'; device: DeviceKeyRef; grant: Grant }
  | { type: 'revoke'; deviceId: DeviceId }
  | { type: 'grant-admin'; deviceId: DeviceId; scope: AdminScope }
  | { type: 'withdraw-admin'; deviceId: DeviceId }
  | {
      type: 'invite';
      inviteId: string;
      invitePublicKey: PublicKeyB64;
      grant: Grant;
      expiresAt: number;
      uses: number;
    }
  | { type: 'redeem'; inviteId: string; invitePublicKey: PublicKeyB64; proof: string };

/** MB1: the signed part of an operation. */
export interface OpBody {
  v: 1;
  /** The network's id (its creation op's id); '' in the creation op itself. */
  network: string;
  /** Ids of the ops its author had seen last (the heads), sorted; none for the creation. */
  parents: string[];
  signer: DeviceKeyRef;
  /** The author's clock (epoch ms): shown, and what invite expiry is judged by (MB14). */
  at: number;
  action: MembershipAction;
}

export interface MembershipOp {
  id: string;
  body: OpBody;
  signature: string;
  bytes: Uint8Array;
}

export type OpRefusalType = 'malformed' | 'bad-signature' | 'key-mismatch' | 'bad-proof';
export interface OpRefusal {
  type: OpRefusalType;
  detail: string;
}

/** Canonical JSON: object keys sorted at every level, so one op has one byte form (MB2). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, item]) => `${JSON.stringify(k)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const b64 = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,200}$/));
const deviceId = v.pipe(v.string(), v.regex(/^d[0-9a-f]{16}$/));
const facility = v.pipe(v.string(), v.regex(/^\d{8}$/));
const district = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const epochMs = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const scope = v.variant('kind', [
  v.strictObject({ kind: v.literal('network') }),
  v.strictObject({ kind: v.literal('district'), district }),
]);
const grant = v.strictObject({
  role: v.picklist(['clinician', 'supervisor', 'relay']),
  facilityCode: v.optional(facility),
  slot: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(99))),
  readScope: v.optional(scope),
});
const keyRef = v.strictObject({
  deviceId,
  publicKey: b64,
  algorithm: v.picklist(['Ed25519', 'P-256']),
});
const action = v.variant('type', [
  v.strictObject({
    type: v.literal('create'),
    name: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
    grant,
  }),
  v.strictObject({ type: v.literal('enrol'), device: keyRef, grant }),
  v.strictObject({ type: v.literal('revoke'), deviceId }),
  v.strictObject({ type: v.literal('grant-admin'), deviceId, scope }),
  v.strictObject({ type: v.literal('withdraw-admin'), deviceId }),
  v.strictObject({
    type: v.literal('invite'),
    inviteId: b64,
    invitePublicKey: b64,
    grant,
    expiresAt: epochMs,
    uses: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)),
  }),
  v.strictObject({ type: v.literal('redeem'), inviteId: b64, invitePublicKey: b64, proof: b64 }),
]);
const bodySchema = v.strictObject({
  v: v.literal(1),
  network: v.union([v.literal(''), b64]),
  parents: v.pipe(v.array(b64), v.maxLength(64)),
  signer: keyRef,
  at: epochMs,
  action,
});
const opSchema = v.strictObject({ b: bodySchema, s: b64 });

/** MB3: a grant's fields fit its role (as invite links check them, I9). */
export function grantIssue(g: Grant): string | undefined {
  if (g.role === 'clinician') {
    if (!g.facilityCode || g.readScope) return 'a clinician has a facility and no read scope';
  } else if (g.role === 'supervisor') {
    if (!g.readScope || g.facilityCode || g.slot !== undefined)
      return 'a supervisor has a read scope only';
  } else if (g.facilityCode || g.slot !== undefined || g.readScope) {
    return 'a relay has no facility, slot or read scope';
  }
  return undefined;
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)));
}

const signedBytes = (body: OpBody) => utf8(SIGN_LABEL + canonicalJson(body));

/** MB1: builds and signs an op; `parents` are sorted here. */
export async function signOp(
  signer: Signer & { deviceId: DeviceId },
  fields: Omit<OpBody, 'v' | 'signer'>,
): Promise<MembershipOp> {
  const body: OpBody = {
    v: 1,
    ...fields,
    parents: [...new Set(fields.parents)].sort(),
    signer: { deviceId: signer.deviceId, publicKey: signer.publicKey, algorithm: signer.algorithm },
  };
  const signature = toB64url(await signer.sign(signedBytes(body)));
  const decoded = await decodeOp(utf8(canonicalJson({ b: body, s: signature })));
  if (!decoded.ok) throw new Error(`built an op that does not decode: ${decoded.error}`);
  return decoded.value;
}

/** MB2: strict decode; the id is base64url SHA-256 of the canonical bytes. */
export async function decodeOp(bytes: unknown): Promise<Result<MembershipOp, string>> {
  if (!(bytes instanceof Uint8Array)) return err('not bytes');
  if (bytes.length > MAX_OP_BYTES) return err(`${bytes.length} bytes, above ${MAX_OP_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return err('not UTF-8 JSON');
  }
  const parsed = v.safeParse(opSchema, json);
  if (!parsed.success) return err(`shape: ${parsed.issues[0]?.message ?? 'invalid'}`);
  const { b: body, s: signature } = parsed.output as { b: OpBody; s: string };
  const canonical = utf8(canonicalJson({ b: body, s: signature }));
  if (canonical.length !== bytes.length || canonical.some((x, i) => x !== bytes[i])) {
    return err('not in canonical form');
  }
  const parents = body.parents;
  if (parents.some((p, i) => i > 0 && p <= (parents[i - 1] as string)))
    return err('parents not sorted and unique');
  const issue = 'grant' in body.action ? grantIssue(body.action.grant) : undefined;
  if (issue) return err(issue);
  const isCreate = body.action.type === 'create';
  if (isCreate !== (body.network === '') || isCreate !== (parents.length === 0)) {
    return err('only the creation has no network and no parents');
  }
  const id = toB64url(await sha256(canonical));
  return ok({ id, body, signature, bytes: canonical });
}

/**
 * MB4–MB6: the signature is the signer's over the body, the signer's id is its key's id, and a
 * redemption carries a valid invite proof for the signer. Independent of any history, so it is
 * checked once, when the op arrives.
 */
export async function verifyOp(
  op: MembershipOp,
  verifier: Verifier,
): Promise<Result<void, OpRefusal>> {
  const { signer, action } = op.body;
  if (!(await deviceIdMatchesKey(signer.deviceId, signer.publicKey))) {
    return err({ type: 'key-mismatch', detail: `${signer.deviceId} is not the id of its key` });
  }
  if (
    action.type === 'enrol' &&
    !(await deviceIdMatchesKey(action.device.deviceId, action.device.publicKey))
  ) {
    return err({
      type: 'key-mismatch',
      detail: `${action.device.deviceId} is not the id of its key`,
    });
  }
  const signature = fromB64url(op.signature);
  const valid =
    signature !== undefined &&
    (await verifier
      .verify(signer.publicKey, signer.algorithm, signature, signedBytes(op.body))
      .catch(() => false));
  if (!valid) return err({ type: 'bad-signature', detail: `op ${op.id} does not verify` });
  if (action.type === 'redeem') {
    const proofOk = await checkRedeemProof(
      action.invitePublicKey,
      action.proof,
      action.inviteId,
      signer.deviceId,
      signer.publicKey,
      verifier,
    );
    if (!proofOk)
      return err({ type: 'bad-proof', detail: `redemption ${op.id}: invite proof refused` });
  }
  return ok(undefined);
}
