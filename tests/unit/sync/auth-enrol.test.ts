/**
 * A newcomer joins through whichever enrolled peer it meets first (auth.md A24–A26, issue 8
 * point 3): it presents its invite redemption, the peer checks the proof against the invite it
 * holds, admits it and sends the membership back; then both authenticate as usual. The
 * membership here is a test double (the real one is the signed history); the proofs are real.
 */
import { describe, expect, it } from 'vitest';
import {
  checkRedeemProof,
  inviteKeyFromSecret,
  newInviteSecret,
  redeemProof,
  type InviteSecret,
} from '../../../src/crdt/trust/invite';
import type { Member } from '../../../src/crdt/trust/types';
import { utf8 } from '../../../src/crdt/trust/encoding';
import { err, ok } from '../../../src/lib/result';
import type { SyncAuth } from '../../../src/sync/auth/session-auth';
import { createMemoryNetwork } from '../../../src/sync/transports/memory';
import { FAC_A, FAC_B, register, sortedVisits, writeVisit } from './harness';
import {
  Membership,
  authFor,
  closeReasons,
  createAuthReplica,
  makeDevice,
  settle,
  type Device,
} from './auth-harness';

interface Redemption {
  inviteId: string;
  proof: string;
  member: Member;
}

const decode = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

/** An enrolled device that admits newcomers holding an invite it knows. */
function admitting(
  device: Device,
  membership: Membership,
  invites: Map<string, { publicKey: string; grant: Partial<Member> }>,
): SyncAuth {
  return {
    ...authFor(device, membership),
    async admit(payload) {
      const r = decode(payload) as Redemption;
      const invite = invites.get(r.inviteId);
      const proofOk =
        invite !== undefined &&
        (await checkRedeemProof(
          invite.publicKey,
          r.proof,
          r.inviteId,
          r.member.deviceId,
          r.member.publicKey,
        ));
      if (!invite || !proofOk) return err({ type: 'bad-invite', detail: 'invite proof refused' });
      // The grant comes from the invite, never from what the newcomer asked for.
      membership.enrol({
        key: undefined as never,
        deviceId: r.member.deviceId,
        member: { ...r.member, ...invite.grant },
      });
      return ok(utf8(JSON.stringify([...membership.members.values()])));
    },
  };
}

/** A newcomer with an invite seed, enrolled in nobody's membership yet. */
async function newcomer(seed: InviteSecret, claimed: Partial<Member> = {}) {
  const device = await makeDevice({ facilityCode: FAC_B as never, ...claimed });
  const own = new Membership([]);
  const proof = await redeemProof(seed, device.deviceId, device.key.publicKey);
  const { inviteId } = await inviteKeyFromSecret(seed);
  let enrolled = false;
  const auth: SyncAuth = {
    ...authFor(device, own),
    enrolment: () =>
      enrolled ? undefined : utf8(JSON.stringify({ inviteId, proof, member: device.member })),
    adopt(payload) {
      const members = decode(payload) as Member[];
      if (!members.some((m) => m.deviceId === device.deviceId)) {
        return Promise.resolve(
          err({ type: 'bad-membership' as const, detail: 'does not list us' }),
        );
      }
      for (const m of members) own.members.set(m.deviceId, m);
      enrolled = true;
      return Promise.resolve(ok(undefined));
    },
  };
  return { device, own, auth };
}

describe('joining through an enrolled peer (auth.md A24–A26)', () => {
  it('A24–A26: a newcomer with a valid invite joins through a peer while the admin is away', async () => {
    const net = createMemoryNetwork({ seed: 91 });
    const a = await makeDevice({ facilityCode: FAC_A as never });
    const membership = new Membership([a]);
    const seed = newInviteSecret();
    const key = await inviteKeyFromSecret(seed);
    const invites = new Map([
      [
        key.inviteId,
        {
          publicKey: key.publicKey,
          grant: { role: 'clinician' as const, facilityCode: FAC_B as never, slot: 2 },
        },
      ],
    ]);
    const ra = createAuthReplica(net, 'a', a, membership, {
      auth: admitting(a, membership, invites),
    });
    writeVisit(ra.host, register(FAC_A), 'A summary');
    const n = await newcomer(seed);
    const rn = createAuthReplica(net, 'n', n.device, n.own, { auth: n.auth });
    net.link('a', 'n');
    await settle(net, [ra, rn]);
    expect(membership.members.get(n.device.deviceId)?.slot).toBe(2);
    expect(sortedVisits(rn.host, register(FAC_A))).toEqual(['A summary']);
    expect(rn.received.slice(0, 3)).toEqual(['auth', 'membership', 'auth']);
  });

  it('A25: a forged or foreign invite proof gets a typed close, and no document', async () => {
    const net = createMemoryNetwork({ seed: 92 });
    const a = await makeDevice({ facilityCode: FAC_A as never });
    const membership = new Membership([a]);
    const key = await inviteKeyFromSecret(newInviteSecret());
    const invites = new Map([
      [
        key.inviteId,
        {
          publicKey: key.publicKey,
          grant: { role: 'clinician' as const, facilityCode: FAC_B as never },
        },
      ],
    ]);
    const ra = createAuthReplica(net, 'a', a, membership, {
      auth: admitting(a, membership, invites),
    });
    writeVisit(ra.host, register(FAC_A), 'A summary');
    // Another seed: the proof does not verify under the invite the peer knows.
    const n = await newcomer(newInviteSecret());
    const rn = createAuthReplica(net, 'n', n.device, n.own, { auth: n.auth });
    net.link('a', 'n');
    await settle(net, [ra, rn]);
    expect(membership.members.has(n.device.deviceId)).toBe(false);
    expect(rn.host.holdings().size).toBe(0);
    expect(closeReasons(ra)).toContain('auth-bad-invite');
    const told = rn.logger.entries.find((e) => e.event === 'sync.peer-closed');
    expect(told?.details.reason).toBe('auth-bad-invite');
  });

  it('A25: a device that admits no newcomers refuses an enrolment as unenrolled', async () => {
    const net = createMemoryNetwork({ seed: 93 });
    const a = await makeDevice({ facilityCode: FAC_A as never });
    const b = await makeDevice({ facilityCode: FAC_B as never });
    const membership = new Membership([a, b]);
    const ra = createAuthReplica(net, 'a', a, membership);
    // b presents an enrolment although a admits nobody: refused, typed.
    const rb = createAuthReplica(net, 'b', b, membership, {
      auth: { ...authFor(b, membership), enrolment: () => utf8('{}') },
    });
    net.link('a', 'b');
    await settle(net, [ra, rb]);
    expect(closeReasons(ra)).toContain('auth-unenrolled');
    expect(rb.host.holdings().size).toBe(0);
  });
});
