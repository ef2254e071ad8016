/**
 * Joining with the real signed membership history through the real engine (auth.md A24–A26,
 * membership.md MB14, issue 8 points 1 and 3): the admin creates the network and an invite, goes
 * offline, and the newcomer joins through another enrolled device.
 */
import { describe, expect, it } from 'vitest';
import type { FacilityCode } from '../../../src/domain/types';
import { inviteKeyFromSecret, newInviteSecret } from '../../../src/crdt/trust/invite';
import { MembershipHistory } from '../../../src/crdt/trust/membership-history';
import { redeemInvite } from '../../../src/crdt/trust/redemption';
import { createMembershipAuth } from '../../../src/sync/auth/membership-auth';
import { createMemoryNetwork } from '../../../src/sync/transports/memory';
import {
  FAC_A,
  FAC_B,
  clinician,
  keyRef,
  makeSigners,
  newNetwork,
  options,
  type TestSigner,
} from '../trust/membership-fixtures';
import { FAC_C, register, sortedVisits, writeVisit } from './harness';
import { Membership, closeReasons, createAuthReplica, settle, type Device } from './auth-harness';

const asDevice = (s: TestSigner, h?: MembershipHistory): Device => ({
  key: s as never,
  deviceId: s.deviceId,
  member: h?.lookup(s.deviceId) ?? { ...keyRef(s), role: 'clinician' },
});

async function network() {
  const [root, b, newcomer, late] = await makeSigners(4);
  const h = await newNetwork(root!);
  await h.author(root!, { type: 'enrol', device: keyRef(b!), grant: clinician(FAC_B, 2) }, 2);
  const secret = newInviteSecret();
  const key = await inviteKeyFromSecret(secret);
  const invite = await h.author(
    root!,
    {
      type: 'invite',
      inviteId: key.inviteId,
      invitePublicKey: key.publicKey,
      grant: clinician(FAC_C as FacilityCode, 1),
      expiresAt: 50_000,
      uses: 1,
    },
    3,
  );
  if (!invite.ok) throw new Error(invite.error.detail);
  // b has heard of everything the admin did (it synced the history earlier).
  const copy = await MembershipHistory.fromGenesis(h.genesis.bytes, options);
  if (!copy.ok) throw new Error(copy.error.detail);
  for (const op of h.all()) await copy.value.add(op.bytes);
  const atB = copy.value;
  return {
    root: root!,
    b: b!,
    newcomer: newcomer!,
    late: late!,
    h,
    atB,
    secret,
    inviteOpId: invite.value.id,
  };
}

type Fixture = Awaited<ReturnType<typeof network>>;

/** b, enrolled, holding the admin's history, with one register to share. */
function enrolledB(net: ReturnType<typeof createMemoryNetwork>, f: Fixture) {
  const auth = createMembershipAuth({ ...options, self: f.b, history: f.atB });
  const replica = createAuthReplica(net, 'b', asDevice(f.b, f.atB), new Membership([]), { auth });
  writeVisit(replica.host, register(FAC_A), 'A summary');
  return replica;
}

/** A device redeeming the fixture's invite; `networkId` is the network its link names. */
async function joiner(
  net: ReturnType<typeof createMemoryNetwork>,
  name: string,
  f: Fixture,
  device: TestSigner,
  at: number,
  networkId = f.h.networkId,
) {
  const redemption = await redeemInvite(device, {
    networkId: f.h.networkId,
    inviteOpId: f.inviteOpId,
    secret: f.secret,
    at,
  });
  const auth = createMembershipAuth({
    ...options,
    self: device,
    joining: { networkId, redemption: redemption.bytes },
  });
  const replica = createAuthReplica(net, name, asDevice(device), new Membership([]), {
    auth,
    facility: FAC_C,
  });
  return { auth, replica, redemption };
}

describe('joining with the signed membership history (A24–A26, MB14)', () => {
  it('A24–A26: a newcomer joins through an enrolled peer while the admin is offline, as its invite grants', async () => {
    const net = createMemoryNetwork({ seed: 95 });
    const f = await network();
    const { newcomer, atB, h } = f;
    const rb = enrolledB(net, f);
    const { auth: nAuth, replica: rn } = await joiner(net, 'n', f, newcomer, 10_000);
    net.link('b', 'n');
    await settle(net, [rb, rn]);
    // Enrolled as the signed invite says (facility, slot), on both sides.
    expect(atB.lookup(newcomer.deviceId)).toMatchObject({
      role: 'clinician',
      facilityCode: FAC_C,
      slot: 1,
    });
    expect(nAuth.history?.lookup(newcomer.deviceId)?.facilityCode).toBe(FAC_C);
    expect(nAuth.history?.networkId).toBe(h.networkId);
    expect(sortedVisits(rn.host, register(FAC_A))).toEqual(['A summary']);
  });

  it('MB14, A25: MS14: of two devices redeeming a one-use invite, the first holds it; the second gets a typed close and nothing', async () => {
    const net = createMemoryNetwork({ seed: 96 });
    const f = await network();
    const { newcomer, late, atB } = f;
    const rb = enrolledB(net, f);
    const { redemption: first } = await joiner(net, 'n', f, newcomer, 10_000);
    await atB.add(first.bytes); // the invite's one use is taken
    const {
      auth: lAuth,
      replica: rl,
      redemption: second,
    } = await joiner(net, 'l', f, late, 11_000);
    net.link('b', 'l');
    await settle(net, [rb, rl]);
    // MS14: the invite's use is taken here, so the second redemption is refused before it is
    // stored, whatever the op ids: the device admitted first keeps its place.
    expect(atB.lookup(newcomer.deviceId)?.facilityCode).toBe(FAC_C);
    expect(atB.lookup(late.deviceId)).toBeUndefined();
    expect(atB.all().some((op) => op.id === second.id)).toBe(false);
    expect(closeReasons(rb)).toContain('auth-bad-invite');
    expect(rl.host.holdings().size).toBe(0);
    expect(lAuth.history).toBeUndefined();
  });

  it('A26, I11: a history of another network is refused by the newcomer (auth-bad-membership)', async () => {
    const net = createMemoryNetwork({ seed: 97 });
    const f = await network();
    const rb = enrolledB(net, f);
    // The newcomer's invite names another network than the one b belongs to.
    const { replica: rn } = await joiner(net, 'n', f, f.newcomer, 10_000, 'another-network-id');
    net.link('b', 'n');
    await settle(net, [rb, rn]);
    expect(closeReasons(rn)).toContain('auth-bad-membership');
    expect(rn.host.holdings().size).toBe(0);
  });
});
