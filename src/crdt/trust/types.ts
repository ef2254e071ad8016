/**
 * Shared vocabulary of trust (issue 8, design.md §5): who a device is, what it may do, and the
 * signer every trust module signs and verifies through. Modules in this folder are pure: they
 * take a `Signer`/`Verifier` instead of reaching for keys, so tests and peers use the same code.
 */
import type { DeviceId, FacilityCode } from '../../domain/types';

/** Base64url (no padding) of a device's raw public key: how a device is named in trust data. */
export type PublicKeyB64 = string & { readonly __brand: 'PublicKeyB64' };

/** Signature algorithm: Ed25519 where the browser has it, ECDSA P-256 (SHA-256) otherwise. */
export type KeyAlgorithm = 'Ed25519' | 'P-256';

/** What a device does in the network. `relay` holds and forwards everything, writes nothing. */
export type DeviceRole = 'clinician' | 'supervisor' | 'relay';

/** What a supervisor may read: one district, or the whole network. */
export type ReadScope = { kind: 'network' } | { kind: 'district'; district: string };

/** Admin rights: over the whole network, or (a district coordinator) over one district. */
export type AdminScope = { kind: 'network' } | { kind: 'district'; district: string };

/** One enrolled device as the membership history says it is now. */
export interface Member {
  deviceId: DeviceId;
  publicKey: PublicKeyB64;
  algorithm: KeyAlgorithm;
  role: DeviceRole;
  /** Facility a clinician device records for; absent for supervisors and relays. */
  facilityCode?: FacilityCode;
  /** Serial block of the device at its facility (decision 0004). */
  slot?: number;
  /** Supervisor read scope; absent for other roles. */
  readScope?: ReadScope;
  /** Admin rights, when delegated (or the network's creator). */
  admin?: AdminScope;
  /** Set once revoked: id of the revoking operation. Anything signed after it is void. */
  revokedBy?: string;
}

export interface Signer {
  readonly publicKey: PublicKeyB64;
  readonly algorithm: KeyAlgorithm;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export interface Verifier {
  verify(
    publicKey: PublicKeyB64,
    algorithm: KeyAlgorithm,
    signature: Uint8Array,
    data: Uint8Array,
  ): Promise<boolean>;
}
