/**
 * Peer authentication when a session opens (issue 8 point 4, docs/protocol-drafts/auth.md).
 * Each side sends a challenge (who it claims to be, a fresh nonce), then a proof: its device
 * key's signature over a transcript of both challenges and the channel binding. Binding both
 * nonces defeats replay from another session; binding the channel defeats a relaying man in the
 * middle; the signer's role inside the transcript defeats reflecting a side's own proof back.
 * Pure: keys, randomness, membership and the nonce registry are injected.
 */
import * as encoding from 'lib0/encoding';
import { err, ok, type Result } from '../../lib/result';
import { fromB64url, toB64url, utf8 } from '../../crdt/trust/encoding';
import type { KeyAlgorithm, Member, PublicKeyB64, Signer, Verifier } from '../../crdt/trust/types';
import { PROTOCOL_VERSION } from '../limits';
import {
  AUTH_NONCE_BYTES,
  MAX_CHANNEL_BINDING_BYTES,
  algorithmCode,
  decodeChallenge,
  decodeProof,
  encodeChallenge,
  encodeProof,
  type AuthChallenge,
} from './auth-codec';

/** A6: domain separation, so this signature can never be mistaken for a change signature. */
const TRANSCRIPT_LABEL = 'pamoja-auth-v1';

export const AuthRefusalType = {
  /** A4: bytes that do not decode strictly, or are above the bound. */
  malformed: 'malformed',
  /** A3: a message out of order (a proof before the challenge, a second challenge). */
  unexpected: 'unexpected',
  /** A9: the claimed device id is not in the membership. */
  unenrolled: 'unenrolled',
  /** A10: the device is revoked. */
  revoked: 'revoked',
  /** A11: the claimed device id is enrolled with another key or algorithm. */
  keyMismatch: 'key-mismatch',
  /** A12: the signature does not verify over this session's transcript. */
  badProof: 'bad-proof',
  /** A8: the peer's nonce was seen before in this process (or is ours). */
  replayed: 'replayed',
  /** A13: the member's enrolment has expired. */
  expired: 'expired',
  /** A25: an enrolment (invite redemption) the membership refuses. */
  badInvite: 'bad-invite',
  /** A26: a membership history that does not verify back to the network's root. */
  badMembership: 'bad-membership',
} as const;
export type AuthRefusalType = (typeof AuthRefusalType)[keyof typeof AuthRefusalType];

export interface AuthRefusal {
  type: AuthRefusalType;
  detail: string;
}

/**
 * A14: the close reason to send the peer for each refusal. For the lead to add to `CloseReason`
 * (src/sync/reasons.ts); kept here until then so the strings are fixed in one place.
 */
export const AuthCloseReason: Record<AuthRefusalType, string> = {
  malformed: 'auth-malformed',
  unexpected: 'auth-unexpected',
  unenrolled: 'auth-unenrolled',
  revoked: 'auth-revoked',
  'key-mismatch': 'auth-key-mismatch',
  'bad-proof': 'auth-bad-proof',
  replayed: 'auth-replayed',
  expired: 'auth-expired',
  'bad-invite': 'auth-bad-invite',
  'bad-membership': 'auth-bad-membership',
};

/** Who the peer proved to be. */
export interface AuthenticatedPeer {
  deviceId: string;
  publicKey: PublicKeyB64;
  algorithm: KeyAlgorithm;
  member: Member;
}

/** What the peer's challenge claims, once it passed decoding and the membership checks. */
export interface PeerClaim {
  deviceId: string;
  publicKey: PublicKeyB64;
  algorithm: KeyAlgorithm;
  member: Member;
}

/**
 * A8: nonces seen in this process, bounded (oldest forgotten first). One registry per engine
 * (or per process), shared by all its exchanges; never a module-level singleton.
 */
export interface NonceRegistry {
  /** True (and remembered) when the nonce is new; false when it was seen before. */
  admit(nonce: Uint8Array): boolean;
}

export function createNonceRegistry(capacity = 4096): NonceRegistry {
  const seen = new Set<string>();
  const limit = Math.max(1, Math.floor(capacity));
  return {
    admit(nonce) {
      const key = toB64url(nonce);
      if (seen.has(key)) return false;
      seen.add(key);
      if (seen.size > limit) {
        const oldest = seen.values().next();
        if (!oldest.done) seen.delete(oldest.value);
      }
      return true;
    },
  };
}

export interface AuthExchangeOptions {
  self: Signer & { readonly deviceId: string };
  /** A7: bytes both ends of this channel compute alike and a relay cannot make equal. */
  channelBinding: Uint8Array;
  lookupMember(deviceId: string): Member | undefined;
  isRevoked(deviceId: string): boolean;
  /** A13: optional, for memberships whose enrolments expire. */
  isExpired?(member: Member): boolean;
  verifier: Verifier;
  nonces: NonceRegistry;
  /** CSPRNG bytes; default `crypto.getRandomValues`. Tests inject a seeded one. */
  random?: (length: number) => Uint8Array;
  /** A6: bound into the transcript; default the sync protocol version. */
  protocolVersion?: number;
}

export interface AuthExchange {
  /** A2: our challenge (the same bytes on every call). Send it first. */
  challenge(): Uint8Array;
  /** A2, A8–A13: reads the peer's challenge; a refusal ends the exchange. */
  onChallenge(bytes: unknown): Result<PeerClaim, AuthRefusal>;
  /** A3: our proof; only after `onChallenge` succeeded (else throws: a wiring bug). */
  proof(): Promise<Uint8Array>;
  /** A3, A12: reads the peer's proof; `ok` means the peer is authenticated. */
  onProof(bytes: unknown): Promise<Result<AuthenticatedPeer, AuthRefusal>>;
  /** The authenticated peer, once `onProof` succeeded. */
  readonly peer: AuthenticatedPeer | undefined;
}

type State = 'awaiting-challenge' | 'awaiting-proof' | 'verifying' | 'authenticated' | 'failed';

/** Bytes compare as unsigned, left to right; used to give the two sides their roles (A5). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function writeSide(e: encoding.Encoder, side: AuthChallenge): void {
  encoding.writeVarString(e, side.deviceId);
  encoding.writeUint8(e, algorithmCode(side.algorithm));
  encoding.writeVarUint8Array(e, side.publicKey);
}

/**
 * A6: what a proof signs. The side whose nonce sorts lower is `first` (A5); `signer` says which
 * side signs, so one side's proof is never valid as the other's.
 */
export function authTranscript(
  protocolVersion: number,
  first: AuthChallenge,
  second: AuthChallenge,
  channelBinding: Uint8Array,
  signer: 'first' | 'second',
): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeUint8Array(e, utf8(TRANSCRIPT_LABEL));
  encoding.writeVarUint(e, protocolVersion);
  encoding.writeUint8(e, signer === 'first' ? 1 : 2);
  encoding.writeUint8Array(e, first.nonce);
  encoding.writeUint8Array(e, second.nonce);
  writeSide(e, first);
  writeSide(e, second);
  encoding.writeVarUint8Array(e, channelBinding);
  return encoding.toUint8Array(e);
}

const refuse = (type: AuthRefusalType, detail: string) => err<AuthRefusal>({ type, detail });

const defaultRandom = (length: number) => crypto.getRandomValues(new Uint8Array(length));

export function createAuthExchange(options: AuthExchangeOptions): AuthExchange {
  const binding = new Uint8Array(options.channelBinding);
  if (binding.length === 0 || binding.length > MAX_CHANNEL_BINDING_BYTES) {
    throw new Error(`channel binding of ${binding.length} bytes`);
  }
  const ownKey = fromB64url(options.self.publicKey);
  if (!ownKey) throw new Error('own public key is not base64url');
  const nonce = (options.random ?? defaultRandom)(AUTH_NONCE_BYTES);
  if (nonce.length !== AUTH_NONCE_BYTES) throw new Error('random gave a nonce of another length');
  const protocolVersion = options.protocolVersion ?? PROTOCOL_VERSION;
  const own: AuthChallenge = {
    deviceId: options.self.deviceId,
    algorithm: options.self.algorithm,
    publicKey: ownKey,
    nonce: new Uint8Array(nonce),
  };
  const ownBytes = encodeChallenge(own);
  // A8: our own nonce is "seen" too, so a peer that reflects our challenge is refused.
  options.nonces.admit(own.nonce);

  let state: State = 'awaiting-challenge';
  let remote: AuthChallenge | undefined;
  let claim: PeerClaim | undefined;
  let peer: AuthenticatedPeer | undefined;
  let ownProof: Promise<Uint8Array> | undefined;

  function fail(type: AuthRefusalType, detail: string) {
    state = 'failed';
    return refuse(type, detail);
  }

  /** A9–A11, A13: the claim against the membership as it is now. */
  function checkMember(claimed: AuthChallenge): Result<PeerClaim, AuthRefusal> {
    const member = options.lookupMember(claimed.deviceId);
    const revoked = options.isRevoked(claimed.deviceId);
    if (!member) {
      return revoked
        ? refuse('revoked', `${claimed.deviceId} is revoked`)
        : refuse('unenrolled', `${claimed.deviceId} is not enrolled`);
    }
    const publicKey = toB64url(claimed.publicKey) as PublicKeyB64;
    if (member.publicKey !== publicKey || member.algorithm !== claimed.algorithm) {
      return refuse('key-mismatch', `${claimed.deviceId} is enrolled with another key`);
    }
    if (revoked || member.revokedBy !== undefined) {
      return refuse('revoked', `${claimed.deviceId} is revoked`);
    }
    if (options.isExpired?.(member)) return refuse('expired', `${claimed.deviceId} has expired`);
    return ok({ deviceId: claimed.deviceId, publicKey, algorithm: claimed.algorithm, member });
  }

  /** A5: orders the two challenges by nonce. */
  function sides(peerChallenge: AuthChallenge) {
    const weAreFirst = compareBytes(own.nonce, peerChallenge.nonce) < 0;
    return weAreFirst
      ? { first: own, second: peerChallenge, ours: 'first' as const, theirs: 'second' as const }
      : { first: peerChallenge, second: own, ours: 'second' as const, theirs: 'first' as const };
  }

  return {
    challenge: () => ownBytes.slice(),

    onChallenge(bytes) {
      if (state !== 'awaiting-challenge') return fail('unexpected', `challenge while ${state}`);
      const decoded = decodeChallenge(bytes);
      if (!decoded.ok) return fail('malformed', `challenge: ${decoded.error}`);
      const theirs = { ...decoded.value, nonce: new Uint8Array(decoded.value.nonce) };
      if (compareBytes(theirs.nonce, own.nonce) === 0 || !options.nonces.admit(theirs.nonce)) {
        return fail('replayed', 'nonce seen before');
      }
      const checked = checkMember(theirs);
      if (!checked.ok) return fail(checked.error.type, checked.error.detail);
      remote = theirs;
      claim = checked.value;
      state = 'awaiting-proof';
      return checked;
    },

    proof() {
      if (!remote) {
        return Promise.reject(
          new Error('auth proof asked for before the peer challenge was accepted'),
        );
      }
      const { first, second, ours } = sides(remote);
      ownProof ??= options.self
        .sign(authTranscript(protocolVersion, first, second, binding, ours))
        .then((signature) => encodeProof({ signature }));
      return ownProof;
    },

    async onProof(bytes) {
      if (state !== 'awaiting-proof' || !remote || !claim) {
        return fail('unexpected', `proof while ${state}`);
      }
      const decoded = decodeProof(bytes);
      if (!decoded.ok) return fail('malformed', `proof: ${decoded.error}`);
      // A10: membership may have changed (a revocation arrived) since the challenge.
      const checked = checkMember(remote);
      if (!checked.ok) return fail(checked.error.type, checked.error.detail);
      const { first, second, theirs } = sides(remote);
      const transcript = authTranscript(protocolVersion, first, second, binding, theirs);
      state = 'verifying'; // a second proof arriving while this one verifies is refused
      let valid = false;
      try {
        valid = await options.verifier.verify(
          claim.publicKey,
          claim.algorithm,
          decoded.value.signature,
          transcript,
        );
      } catch {
        valid = false; // A verifier must not throw on peer input; if one does, it is a refusal.
      }
      // The state may have moved on while the verifier awaited (TypeScript cannot see that).
      const after = state as State;
      if (after !== 'verifying') return refuse('unexpected', `exchange ${after} while verifying`);
      if (!valid) return fail('bad-proof', `${claim.deviceId}: signature does not verify`);
      state = 'authenticated';
      peer = { ...checked.value };
      return ok(peer);
    },

    get peer() {
      return peer;
    },
  };
}
