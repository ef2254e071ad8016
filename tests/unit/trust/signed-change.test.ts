import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { patientDocId, registerDocId, networkDocId, type DocId } from '../../../src/crdt/doc-id';
import { appendEntry, initPatientDoc } from '../../../src/crdt/patient-doc';
import { clientIdsPerDevice, deviceClientIds } from '../../../src/crdt/trust/client-ids';
import {
  createDeviceKey,
  deviceIdFromPublicKey,
  webCryptoVerifier,
  type DeviceKey,
} from '../../../src/crdt/trust/device-key';
import {
  decodeSignedChange,
  encodeSignedChange,
  signChange,
  verifySignedChange,
  type SignedChange,
} from '../../../src/crdt/trust/signed-change';
import type { Member } from '../../../src/crdt/trust/types';
import type {
  CtcId,
  Demographics,
  DeviceId,
  Entry,
  EntryId,
  FacilityCode,
  Stamp,
} from '../../../src/domain/types';

const FAC = '01020003' as FacilityCode;
const ID = `${FAC}010001` as CtcId;
const DOC = patientDocId(ID);

let key: DeviceKey;
let member: Member;
let ids: number[];
let other: DeviceKey;

beforeAll(async () => {
  key = await createDeviceKey({ algorithm: 'Ed25519' });
  other = await createDeviceKey({ algorithm: 'Ed25519' });
  member = {
    deviceId: await deviceIdFromPublicKey(key.publicKey),
    publicKey: key.publicKey,
    algorithm: key.algorithm,
    role: 'clinician',
    facilityCode: FAC,
  };
  ids = await deviceClientIds(key.publicKey);
});

const stamp = (): Stamp => ({
  userId: 'u1' as Stamp['userId'],
  userName: 'Neema',
  role: 'clinician',
  deviceId: member.deviceId,
  facilityCode: FAC,
  at: '2026-03-10T09:00:00.000Z' as Stamp['at'],
});
const amina: Demographics = {
  givenName: 'Amina',
  familyName: 'Mwakyusa',
  sex: 'female',
  birthDate: '1990-04-12' as Demographics['birthDate'],
  birthDateEstimated: false,
};
const visit = (id: string): Entry => ({
  id: id as EntryId,
  kind: 'visit',
  stamp: stamp(),
  data: {
    date: '2026-03-10',
    facilityCode: FAC,
    visitType: 'clinic',
    tbScreen: 'negative',
    arvStatus: 'continue',
    symptoms: [],
    otherMedicines: [],
    investigationsOrdered: [],
    weightKg: 61.5,
    notes: 'Doing well; adherence good.',
  } as unknown as Entry<'visit'>['data'],
});

/** A patient record written by `clientID`, and the update of one more visit by `writer`. */
function visitUpdate(owner: number, writer: number): { live: Y.Doc; update: Uint8Array } {
  const live = new Y.Doc();
  live.clientID = owner;
  initPatientDoc(live, {
    ctcId: ID,
    primaryFacility: FAC,
    demographics: amina,
    stamp: stamp(),
    entryId: 'e0' as EntryId,
  });
  const copy = new Y.Doc();
  copy.clientID = writer;
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(live));
  let update: Uint8Array = new Uint8Array();
  copy.on('update', (u: Uint8Array) => (update = u));
  appendEntry(copy, visit('v1-2026-03-10-0001'));
  return { live, update };
}

async function signed(update: Uint8Array, docId: DocId = DOC): Promise<SignedChange> {
  return signChange(key, { docId, author: member.deviceId, update });
}

const flip = (bytes: Uint8Array, index: number) => {
  const copy = bytes.slice();
  copy[index] = copy[index]! ^ 0x01;
  return copy;
};

describe('client ids bound to the device key', () => {
  it('SC13: eight stable Yjs client ids below 2^31 per key, different for another key', async () => {
    expect(ids).toHaveLength(clientIdsPerDevice);
    for (const id of ids) {
      expect(Number.isInteger(id) && id >= 0 && id < 2 ** 31).toBe(true);
    }
    expect(new Set(ids).size).toBe(clientIdsPerDevice);
    expect(await deviceClientIds(key.publicKey)).toEqual(ids);
    const theirs = await deviceClientIds(other.publicKey);
    expect(theirs.some((id) => ids.includes(id))).toBe(false);
  });
});

describe('signed change envelope', () => {
  it('SC2 SC3: round-trips through its binary form, for every document kind', async () => {
    const { update } = visitUpdate(ids[0]!, ids[1]!);
    for (const docId of [DOC, registerDocId(FAC), networkDocId]) {
      const change = await signed(update, docId);
      const decoded = decodeSignedChange(encodeSignedChange(change));
      expect(decoded).toEqual({ ok: true, value: change });
    }
  });

  it('SC6 SC11: a change verifies, and reports no deletes of other clients', async () => {
    const { update } = visitUpdate(ids[0]!, ids[1]!);
    const result = await verifySignedChange(await signed(update), member, webCryptoVerifier);
    expect(result).toEqual({ ok: true, value: { deletesOf: [] } });
  });

  it('SC20: the envelope costs at most 100 bytes over a typical visit update', async () => {
    const { update } = visitUpdate(ids[0]!, ids[1]!);
    const bytes = encodeSignedChange(await signed(update));
    const overhead = bytes.length - update.length;
    console.info(`visit update ${update.length} bytes, envelope overhead ${overhead} bytes`);
    expect(overhead).toBeLessThanOrEqual(100);
  });

  it('SC7: a tampered update, author, document id or signature is a bad signature', async () => {
    const { update } = visitUpdate(ids[0]!, ids[1]!);
    const change = await signed(update);
    const tampered: SignedChange[] = [
      { ...change, update: flip(change.update, change.update.length - 3) },
      { ...change, docId: patientDocId(`${FAC}010002` as CtcId) },
      { ...change, signature: flip(change.signature, 10) },
    ];
    for (const forged of tampered) {
      const result = await verifySignedChange(forged, member, webCryptoVerifier);
      expect(result.ok ? 'accepted' : result.error.reason).toBe('bad-signature');
    }
    // The same through the wire form: a flipped byte anywhere in the signature or update.
    const bytes = encodeSignedChange(change);
    for (const index of [bytes.length - 1, bytes.length - update.length - 1]) {
      const decoded = decodeSignedChange(flip(bytes, index));
      if (!decoded.ok) throw new Error(`decode failed at ${index}`);
      const result = await verifySignedChange(decoded.value, member, webCryptoVerifier);
      expect(result.ok ? 'accepted' : result.error.reason).toBe('bad-signature');
    }
  });

  it('SC8: a change signed by another key than its author’s is a bad signature', async () => {
    const { update } = visitUpdate(ids[0]!, ids[1]!);
    const change = await signChange(other, { docId: DOC, author: member.deviceId, update });
    const result = await verifySignedChange(change, member, webCryptoVerifier);
    expect(result.ok ? 'accepted' : result.error.reason).toBe('bad-signature');
  });

  it('SC9: a change by a device the membership does not list is an unknown author', async () => {
    const { update } = visitUpdate(ids[0]!, ids[1]!);
    const change = await signed(update);
    const stranger = { ...member, deviceId: 'd0000000000000000' as DeviceId };
    for (const who of [undefined, stranger]) {
      const result = await verifySignedChange(change, who, webCryptoVerifier);
      expect(result.ok ? 'accepted' : result.error.reason).toBe('unknown-author');
    }
  });

  it('SC10: an update carrying structs of a client id not its signer’s is foreign-client', async () => {
    // Signed correctly, but written under a client id of no key of this device (e.g. another
    // device's id: same client and clock, different content, which diverges replicas for good).
    const { update } = visitUpdate(ids[0]!, 424242);
    const result = await verifySignedChange(await signed(update), member, webCryptoVerifier);
    expect(result.ok ? 'accepted' : result.error.reason).toBe('foreign-client');
    const theirs = await deviceClientIds(other.publicKey);
    const second = visitUpdate(ids[0]!, theirs[0]!).update;
    const again = await verifySignedChange(await signed(second), member, webCryptoVerifier);
    expect(again.ok ? 'accepted' : again.error.reason).toBe('foreign-client');
  });

  it('SC12: deletes of another client’s structs are reported, not refused', async () => {
    const live = new Y.Doc();
    live.clientID = 777;
    live.getMap('demographics').set('phone', '0712 000 000');
    const copy = new Y.Doc();
    copy.clientID = ids[2]!;
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(live));
    let update: Uint8Array = new Uint8Array();
    copy.on('update', (u: Uint8Array) => (update = u));
    copy.getMap('demographics').set('phone', '0712 111 111');
    const result = await verifySignedChange(await signed(update), member, webCryptoVerifier);
    expect(result).toEqual({ ok: true, value: { deletesOf: [777] } });
  });

  it('SC3: truncated, unknown-version, non-canonical or out-of-range envelopes are malformed', async () => {
    const { update } = visitUpdate(ids[0]!, ids[1]!);
    const bytes = encodeSignedChange(await signed(update));
    const broken: Uint8Array[] = [
      new Uint8Array(),
      bytes.subarray(0, 1),
      bytes.subarray(0, 12),
      bytes.subarray(0, bytes.length - update.length),
      Uint8Array.from([1, ...bytes.subarray(1)]),
      Uint8Array.from([3, ...bytes.subarray(1)]),
      Uint8Array.from([2, 7, ...bytes.subarray(2)]),
    ];
    for (const candidate of broken) {
      const decoded = decodeSignedChange(candidate);
      expect(decoded.ok ? 'accepted' : decoded.error.reason).toBe('malformed');
    }
    // A CTC number longer than 14 digits is refused too.
    const tooLong = decodeSignedChange(
      Uint8Array.from([2, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, ...bytes.subarray(9)]),
    );
    expect(tooLong.ok).toBe(false);
  });

  it('SC3: an envelope with a padded (non-canonical) varuint is malformed', async () => {
    const { update } = visitUpdate(ids[0]!, ids[1]!);
    const docId = registerDocId(FAC);
    const bytes = encodeSignedChange(await signed(update, docId));
    // register: version, tag, the 8 digits as a varuint (its last byte under 0x80), author...
    let end = 2;
    while (bytes[end]! >= 0x80) end++;
    const padded = Uint8Array.from([
      ...bytes.subarray(0, end),
      bytes[end]! | 0x80,
      0x00,
      ...bytes.subarray(end + 1),
    ]);
    expect(decodeSignedChange(bytes).ok).toBe(true);
    const decoded = decodeSignedChange(padded);
    expect(decoded.ok ? 'accepted' : decoded.error.reason).toBe('malformed');
  });

  it('SC11: a well-signed update that Yjs cannot decode is malformed', async () => {
    const change = await signed(Uint8Array.from([5, 200, 1, 2, 3]));
    const result = await verifySignedChange(change, member, webCryptoVerifier);
    expect(result.ok ? 'accepted' : result.error.reason).toBe('malformed');
  });
});
