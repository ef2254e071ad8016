/** Devices with real keys for membership tests; keys are made once per file (signing is async). */
import {
  createDeviceKey,
  createWebCryptoVerifier,
  deviceIdFromPublicKey,
} from '../../../src/crdt/trust/device-key';
import type { DeviceId, FacilityCode } from '../../../src/domain/types';
import type { Signer } from '../../../src/crdt/trust/types';
import {
  createNetwork,
  type HistoryOptions,
  type MembershipHistory,
} from '../../../src/crdt/trust/membership-history';

export type TestSigner = Signer & { deviceId: DeviceId };

export async function makeSigner(): Promise<TestSigner> {
  const key = await createDeviceKey({ algorithm: 'Ed25519' });
  return Object.assign(key, { deviceId: await deviceIdFromPublicKey(key.publicKey) });
}

export async function makeSigners(n: number): Promise<TestSigner[]> {
  return Promise.all(Array.from({ length: n }, () => makeSigner()));
}

export const FAC_A = '01020001' as FacilityCode;
export const FAC_B = '01020002' as FacilityCode;
export const FAC_C = '01020003' as FacilityCode;

export const options: HistoryOptions = {
  verifier: createWebCryptoVerifier(),
  districtOf: (f) => ({ '01020001': 'ilala', '01020002': 'ilala', '01020003': 'kinondoni' })[f],
};

export const clinician = (facilityCode: FacilityCode, slot = 1) =>
  ({ role: 'clinician', facilityCode, slot }) as const;

export async function newNetwork(root: TestSigner): Promise<MembershipHistory> {
  return createNetwork(root, 'Ilala CTCs', clinician(FAC_A), 1_000, options);
}

export const keyRef = (s: TestSigner) => ({
  deviceId: s.deviceId,
  publicKey: s.publicKey,
  algorithm: s.algorithm,
});
