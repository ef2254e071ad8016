import { describe, expect, it } from 'vitest';
import { canonicalJson, decodeOp, signOp } from '../../../src/crdt/trust/membership-op';
import { MembershipHistory } from '../../../src/crdt/trust/membership-history';
import { inviteKeyFromSecret, newInviteSecret, redeemProof } from '../../../src/crdt/trust/invite';
import { utf8 } from '../../../src/crdt/trust/encoding';
import {
  FAC_A,
  FAC_B,
  FAC_C,
  clinician,
  keyRef,
  makeSigner,
  makeSigners,
  newNetwork,
  options,
  type TestSigner,
} from './membership-fixtures';

async function enrol(
  h: MembershipHistory,
  admin: TestSigner,
  device: TestSigner,
  grant = clinician(FAC_B),
) {
  const r = await h.author(admin, { type: 'enrol', device: keyRef(device), grant }, 2_000);
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
}

/** A second replica holding the same ops, added in the order given. */
async function replicaOf(h: MembershipHistory, order = h.all()) {
  const copy = await MembershipHistory.fromGenesis(h.genesis.bytes, options);
  if (!copy.ok) throw new Error(copy.error.detail);
  for (const op of order) await copy.value.add(op.bytes);
  return copy.value;
}

describe('membership history (membership.md)', () => {
  it('MB7: the creator is the first member and network admin; the network id is the creation op', async () => {
    const root = await makeSigner();
    const h = await newNetwork(root);
    expect(h.networkId).toBe(h.genesis.id);
    expect(h.networkName).toBe('Ilala CTCs');
    expect(h.lookup(root.deviceId)).toMatchObject({
      role: 'clinician',
      facilityCode: FAC_A,
      admin: { kind: 'network' },
    });
  });

  it('MB2: decoding is strict: canonical form only, bounded, shaped; never a throw', async () => {
    const root = await makeSigner();
    const h = await newNetwork(root);
    const json = JSON.parse(new TextDecoder().decode(h.genesis.bytes)) as Record<string, unknown>;
    const reordered = utf8(JSON.stringify({ s: json.s, b: json.b }));
    for (const bad of [
      reordered,
      new Uint8Array(5000),
      utf8('{}'),
      utf8('not json'),
      new Uint8Array([0xff]),
      'text',
    ]) {
      const decoded = await decodeOp(bad);
      expect(decoded.ok).toBe(false);
    }
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });

  it("MB4–MB6: a forged signature, a key that is not the id's, or another network is refused", async () => {
    const [root, other, b] = await makeSigners(3);
    const h = await newNetwork(root!);
    const op = await signOp(root!, {
      network: h.networkId,
      parents: h.heads(),
      at: 5,
      action: { type: 'enrol', device: keyRef(b!), grant: clinician(FAC_B) },
    });
    const tampered = utf8(new TextDecoder().decode(op.bytes).replace('01020002', '01020003'));
    expect(await h.add(tampered)).toMatchObject({ ok: false, error: { type: 'bad-signature' } });
    // Signed by `other` but claiming to be root: the id is not its key's.
    const claimed = Object.assign(Object.create(other!) as TestSigner, {
      deviceId: root!.deviceId,
      publicKey: other!.publicKey,
      algorithm: other!.algorithm,
      sign: other!.sign.bind(other),
    });
    const spoof = await signOp(claimed, {
      network: h.networkId,
      parents: h.heads(),
      at: 5,
      action: { type: 'revoke', deviceId: root!.deviceId },
    });
    expect(await h.add(spoof.bytes)).toMatchObject({ ok: false, error: { type: 'key-mismatch' } });
    const elsewhere = await newNetwork(other!);
    const foreign = await signOp(other!, {
      network: elsewhere.networkId,
      parents: elsewhere.heads(),
      at: 5,
      action: { type: 'revoke', deviceId: root!.deviceId },
    });
    expect(await h.add(foreign.bytes)).toMatchObject({
      ok: false,
      error: { type: 'wrong-network' },
    });
    expect(h.isRevoked(root!.deviceId)).toBe(false);
  });

  it('MB8: an op whose parents have not arrived waits, then joins', async () => {
    const [root, b, c] = await makeSigners(3);
    const h = await newNetwork(root!);
    const first = await enrol(h, root!, b!);
    const second = await enrol(h, root!, c!, clinician(FAC_C));
    const late = await replicaOf(h, []);
    expect(await late.add(second.bytes)).toEqual({ ok: true, value: 'pending' });
    expect(late.lookup(c!.deviceId)).toBeUndefined();
    expect(await late.add(first.bytes)).toEqual({ ok: true, value: 'added' });
    expect(late.lookup(c!.deviceId)?.facilityCode).toBe(FAC_C);
    expect(await late.add(first.bytes)).toEqual({ ok: true, value: 'known' });
  });

  it('MB11–MB12: only admins enrol; a district admin only in its district', async () => {
    const [root, b, coordinator, x, y] = await makeSigners(5);
    const h = await newNetwork(root!);
    await enrol(h, root!, b!);
    // b is a member but not an admin: its enrolment takes no effect.
    const byB = await h.author(
      b!,
      { type: 'enrol', device: keyRef(x!), grant: clinician(FAC_B) },
      3,
    );
    expect(byB.ok && h.tookEffect(byB.value.id)).toBe(false);
    expect(h.lookup(x!.deviceId)).toBeUndefined();
    await enrol(h, root!, coordinator!, clinician(FAC_B));
    await h.author(
      root!,
      {
        type: 'grant-admin',
        deviceId: coordinator!.deviceId,
        scope: { kind: 'district', district: 'ilala' },
      },
      4,
    );
    await h.author(
      coordinator!,
      { type: 'enrol', device: keyRef(x!), grant: clinician(FAC_A, 3) },
      5,
    );
    await h.author(
      coordinator!,
      { type: 'enrol', device: keyRef(y!), grant: clinician(FAC_C, 3) },
      5,
    );
    expect(h.lookup(x!.deviceId)?.facilityCode).toBe(FAC_A);
    expect(h.lookup(y!.deviceId)).toBeUndefined(); // kinondoni is not its district
  });

  it('MB13: admin rights delegated and withdrawn; ops after the withdrawal take no effect', async () => {
    const [root, coordinator, x] = await makeSigners(3);
    const h = await newNetwork(root!);
    await enrol(h, root!, coordinator!);
    await h.author(
      root!,
      { type: 'grant-admin', deviceId: coordinator!.deviceId, scope: { kind: 'network' } },
      3,
    );
    expect(h.isAdmin(coordinator!.deviceId)).toEqual({ kind: 'network' });
    await h.author(root!, { type: 'withdraw-admin', deviceId: coordinator!.deviceId }, 4);
    expect(h.isAdmin(coordinator!.deviceId)).toBeUndefined();
    await h.author(coordinator!, { type: 'enrol', device: keyRef(x!), grant: clinician(FAC_B) }, 5);
    expect(h.lookup(x!.deviceId)).toBeUndefined();
    expect(h.lookup(coordinator!.deviceId)?.role).toBe('clinician'); // still a member
  });

  it('MB14: an invite admits as its signed grant, once per use, before it expires, in its past', async () => {
    const [root, n1, n2, n3] = await makeSigners(4);
    const h = await newNetwork(root!);
    const seed = newInviteSecret();
    const key = await inviteKeyFromSecret(seed);
    await h.author(
      root!,
      {
        type: 'invite',
        inviteId: key.inviteId,
        invitePublicKey: key.publicKey,
        grant: clinician(FAC_B, 4),
        expiresAt: 10_000,
        uses: 2,
      },
      2_000,
    );
    const redeem = async (s: TestSigner, at: number) => {
      const proof = await redeemProof(seed, s.deviceId, s.publicKey);
      const r = await h.author(
        s,
        { type: 'redeem', inviteId: key.inviteId, invitePublicKey: key.publicKey, proof },
        at,
      );
      return r.ok && h.tookEffect(r.value.id);
    };
    expect(await redeem(n1!, 3_000)).toBe(true);
    expect(h.lookup(n1!.deviceId)).toMatchObject({
      role: 'clinician',
      facilityCode: FAC_B,
      slot: 4,
    });
    expect(await redeem(n2!, 20_000)).toBe(false); // expired
    expect(await redeem(n3!, 4_000)).toBe(true);
    expect(await redeem(n2!, 5_000)).toBe(false); // uses run out
    // A proof made for another device is refused outright.
    const stolen = await redeemProof(seed, n1!.deviceId, n1!.publicKey);
    const bad = await h.author(
      n2!,
      { type: 'redeem', inviteId: key.inviteId, invitePublicKey: key.publicKey, proof: stolen },
      5_000,
    );
    expect(bad).toMatchObject({ ok: false, error: { type: 'bad-proof' } });
  });

  it('MB15: revocation wins over what the revoked device signed concurrently, and keeps what it signed before', async () => {
    const [root, admin2, early, late] = await makeSigners(4);
    const h = await newNetwork(root!);
    await enrol(h, root!, admin2!);
    await h.author(
      root!,
      { type: 'grant-admin', deviceId: admin2!.deviceId, scope: { kind: 'network' } },
      3,
    );
    await h.author(
      admin2!,
      { type: 'enrol', device: keyRef(early!), grant: clinician(FAC_B, 5) },
      4,
    );
    // Split: root revokes admin2 while admin2, not having heard, enrols another device.
    const other = await replicaOf(h);
    const revoke = await h.author(root!, { type: 'revoke', deviceId: admin2!.deviceId }, 6);
    const concurrent = await other.author(
      admin2!,
      { type: 'enrol', device: keyRef(late!), grant: clinician(FAC_B, 6) },
      6,
    );
    if (!revoke.ok || !concurrent.ok) throw new Error('authoring failed');
    await h.add(concurrent.value.bytes);
    await other.add(revoke.value.bytes);
    for (const r of [h, other]) {
      expect(r.isRevoked(admin2!.deviceId)).toBe(true);
      expect(r.lookup(early!.deviceId)?.slot).toBe(5);
      expect(r.lookup(late!.deviceId)).toBeUndefined();
    }
  });

  it('MB16: two admins revoking each other concurrently resolve the same way on every replica', async () => {
    const [root, admin2] = await makeSigners(2);
    const h = await newNetwork(root!);
    await enrol(h, root!, admin2!);
    await h.author(
      root!,
      { type: 'grant-admin', deviceId: admin2!.deviceId, scope: { kind: 'network' } },
      3,
    );
    const other = await replicaOf(h);
    const r1 = await h.author(root!, { type: 'revoke', deviceId: admin2!.deviceId }, 4);
    const r2 = await other.author(admin2!, { type: 'revoke', deviceId: root!.deviceId }, 4);
    if (!r1.ok || !r2.ok) throw new Error('authoring failed');
    await h.add(r2.value.bytes);
    await other.add(r1.value.bytes);
    const revoked = (r: MembershipHistory) => [root!, admin2!].map((s) => r.isRevoked(s.deviceId));
    expect(revoked(h)).toEqual(revoked(other));
    // Exactly one of them stands: the one ordered first wins, the other's op is void.
    expect(revoked(h).filter(Boolean)).toHaveLength(1);
  });

  it('MB11: a revoked device cannot be enrolled again under its id', async () => {
    const [root, b] = await makeSigners(2);
    const h = await newNetwork(root!);
    await enrol(h, root!, b!);
    await h.author(root!, { type: 'revoke', deviceId: b!.deviceId }, 3);
    await enrol(h, root!, b!, clinician(FAC_A));
    expect(h.isRevoked(b!.deviceId)).toBe(true);
    expect(h.lookup(b!.deviceId)?.revokedBy).toBeDefined();
  });
});
