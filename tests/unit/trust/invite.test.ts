import { describe, expect, it } from 'vitest';
import {
  createDeviceKey,
  deviceIdFromPublicKey,
  webCryptoVerifier,
} from '../../../src/crdt/trust/device-key';
import { fromB64url, toB64url } from '../../../src/crdt/trust/encoding';
import {
  checkRedeemProof,
  inviteKeyFromSecret,
  newInviteSecret,
  redeemProof,
  redeemProofMessage,
  type InviteSecret,
} from '../../../src/crdt/trust/invite';
import type { PublicKeyB64 } from '../../../src/crdt/trust/types';

const hex = (text: string) => Uint8Array.from(text.match(/../g)!, (byte) => parseInt(byte, 16));
/** Fixed seeds: invites in these tests are reproducible. */
const seedA = Uint8Array.from({ length: 32 }, (_, i) => i) as InviteSecret;
const seedB = Uint8Array.from({ length: 32 }, (_, i) => 255 - i) as InviteSecret;

async function newDevice() {
  const key = await createDeviceKey();
  return { key, deviceId: await deviceIdFromPublicKey(key.publicKey) };
}

describe('invite key (I1–I3)', () => {
  it('I1: a new invite secret is 32 random bytes, different each time', () => {
    const a = newInviteSecret();
    const b = newInviteSecret();
    expect(a).toHaveLength(32);
    expect(toB64url(a)).not.toBe(toB64url(b));
  });

  it('I2: the invite key is standard Ed25519 of the seed (RFC 8032 test vector 1)', async () => {
    const seed = hex(
      '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    ) as InviteSecret;
    const key = await inviteKeyFromSecret(seed);
    expect(fromB64url(key.publicKey)).toEqual(
      hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
    );
    // RFC 8032 signature of the empty message under that key.
    expect(await key.sign(new Uint8Array(0))).toEqual(
      hex(
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
          '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      ),
    );
  });

  it('I2: admin and newcomer derive the same key and id from the same seed', async () => {
    const admin = await inviteKeyFromSecret(seedA);
    const newcomer = await inviteKeyFromSecret(new Uint8Array(seedA) as InviteSecret);
    expect(newcomer.publicKey).toBe(admin.publicKey);
    expect(newcomer.inviteId).toBe(admin.inviteId);
    const other = await inviteKeyFromSecret(seedB);
    expect(other.publicKey).not.toBe(admin.publicKey);
    expect(other.inviteId).not.toBe(admin.inviteId);
  });

  it('I3: the invite id is 12 bytes of SHA-256("pamoja-invite-id\\n" + seed)', async () => {
    const label = new TextEncoder().encode('pamoja-invite-id\n');
    const digest = new Uint8Array(
      await crypto.subtle.digest('SHA-256', new Uint8Array([...label, ...seedA])),
    );
    const key = await inviteKeyFromSecret(seedA);
    expect(key.inviteId).toBe(toB64url(digest.subarray(0, 12)));
    expect(key.inviteId).toHaveLength(16);
    // The id is public: it must not reveal the seed or the key.
    expect(key.inviteId).not.toContain(toB64url(seedA).slice(0, 8));
  });

  it('I2: a seed of the wrong length is refused', async () => {
    await expect(inviteKeyFromSecret(new Uint8Array(31) as InviteSecret)).rejects.toThrow();
  });
});

describe('redeem proof (I4, I5)', () => {
  it('I4: a field with a newline is refused, so one proof cannot sign two triples', async () => {
    const invite = await inviteKeyFromSecret(seedA);
    const { key, deviceId } = await newDevice();
    // Same signed bytes as (deviceId, "x\n" + key): the line boundary moved.
    const proof = await redeemProof(seedA, `${deviceId}\nx`, key.publicKey);
    expect(
      await checkRedeemProof(
        invite.publicKey,
        proof,
        invite.inviteId,
        deviceId,
        `x\n${key.publicKey}`,
      ),
    ).toBe(false);
  });

  it('I4: the proof signs exactly the membership op text', () => {
    expect(new TextDecoder().decode(redeemProofMessage('inv', 'd01', 'KEY'))).toBe(
      'pamoja-invite-v1\ninv\nd01\nKEY',
    );
  });

  it('I5: a proof is valid for the device it was made for', async () => {
    const invite = await inviteKeyFromSecret(seedA);
    const { key, deviceId } = await newDevice();
    const proof = await redeemProof(seedA, deviceId, key.publicKey);
    expect(fromB64url(proof)).toHaveLength(64);
    expect(
      await checkRedeemProof(invite.publicKey, proof, invite.inviteId, deviceId, key.publicKey),
    ).toBe(true);
    expect(
      await checkRedeemProof(
        invite.publicKey,
        proof,
        invite.inviteId,
        deviceId,
        key.publicKey,
        webCryptoVerifier,
      ),
    ).toBe(true);
  });

  it('I5: the same proof fails for another device id, device key or invite', async () => {
    const invite = await inviteKeyFromSecret(seedA);
    const otherInvite = await inviteKeyFromSecret(seedB);
    const { key, deviceId } = await newDevice();
    const other = await newDevice();
    const proof = await redeemProof(seedA, deviceId, key.publicKey);
    const check = (
      publicKey: string,
      inviteId: string,
      id: string,
      devicePublicKey: PublicKeyB64,
      verifier = webCryptoVerifier,
    ) => checkRedeemProof(publicKey, proof, inviteId, id, devicePublicKey, verifier);

    expect(await check(invite.publicKey, invite.inviteId, other.deviceId, key.publicKey)).toBe(
      false,
    );
    expect(await check(invite.publicKey, invite.inviteId, deviceId, other.key.publicKey)).toBe(
      false,
    );
    expect(await check(invite.publicKey, otherInvite.inviteId, deviceId, key.publicKey)).toBe(
      false,
    );
    expect(await check(otherInvite.publicKey, invite.inviteId, deviceId, key.publicKey)).toBe(
      false,
    );
    // A device that copied someone else's proof onto its own key gets nowhere either way.
    expect(
      await checkRedeemProof(
        invite.publicKey,
        proof,
        invite.inviteId,
        other.deviceId,
        other.key.publicKey,
      ),
    ).toBe(false);
  });

  it('I5: a proof made with another invite seed fails for this invite', async () => {
    const invite = await inviteKeyFromSecret(seedA);
    const { key, deviceId } = await newDevice();
    const forged = await redeemProof(seedB, deviceId, key.publicKey);
    expect(
      await checkRedeemProof(invite.publicKey, forged, invite.inviteId, deviceId, key.publicKey),
    ).toBe(false);
  });

  it('I5: malformed proofs, keys and fields give false, never a throw', async () => {
    const invite = await inviteKeyFromSecret(seedA);
    const { key, deviceId } = await newDevice();
    const proof = await redeemProof(seedA, deviceId, key.publicKey);
    const cases: Array<[string, string, string, string, string]> = [
      [invite.publicKey, 'not base64url!', invite.inviteId, deviceId, key.publicKey],
      [invite.publicKey, proof.slice(0, 40), invite.inviteId, deviceId, key.publicKey],
      [invite.publicKey, '', invite.inviteId, deviceId, key.publicKey],
      ['short', proof, invite.inviteId, deviceId, key.publicKey],
      [invite.publicKey, proof, '', deviceId, key.publicKey],
    ];
    for (const [pk, p, id, dev, devKey] of cases) {
      expect(await checkRedeemProof(pk, p, id, dev, devKey)).toBe(false);
      expect(await checkRedeemProof(pk, p, id, dev, devKey, webCryptoVerifier)).toBe(false);
    }
  });
});
