/**
 * Peer authentication and roles in the real engine over the memory network (auth.md A15–A24,
 * issue 8 points 4, 6, 7). Keys are real WebCrypto Ed25519 keys.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryNetwork } from '../../../src/sync/transports/memory';
import {
  FAC_A,
  FAC_B,
  FAC_C,
  network,
  patient,
  register,
  sortedVisits,
  writeVisit,
} from './harness';
import {
  Membership,
  authFor,
  closeReasons,
  createAuthReplica,
  makeDevice,
  settle,
} from './auth-harness';

const DOC_KINDS = [
  'sync-step1',
  'sync-step2',
  'update',
  'request',
  'reconcile',
  'hello',
  'interest',
];

async function clinicians() {
  const a = await makeDevice({ facilityCode: FAC_A as never });
  const b = await makeDevice({ facilityCode: FAC_B as never });
  return { a, b };
}

describe('peer authentication in sessions (auth.md)', () => {
  it('A15–A17: two enrolled devices prove themselves, then sync as before', async () => {
    const net = createMemoryNetwork({ seed: 81 });
    const { a, b } = await clinicians();
    const membership = new Membership([a, b]);
    const ra = createAuthReplica(net, 'a', a, membership);
    const rb = createAuthReplica(net, 'b', b, membership);
    writeVisit(ra.host, register(FAC_A), 'summary');
    writeVisit(ra.host, patient(FAC_A, 1), 'visit at A');
    net.link('a', 'b');
    await settle(net, [ra, rb]);
    expect(sortedVisits(rb.host, register(FAC_A))).toEqual(['summary']);
    // The hello, and so every doc id, went only after both proofs.
    expect(rb.received.slice(0, 2)).toEqual(['auth', 'auth']);
    expect(rb.received.filter((k) => !k.startsWith('authenticated:'))[2]).toBe('hello');
    // A23: each side tells its transport who the peer proved to be, once, after the proof.
    expect(ra.received.filter((k) => k.startsWith('authenticated:'))).toEqual([
      `authenticated:${b.deviceId}`,
    ]);
    expect(rb.received.filter((k) => k.startsWith('authenticated:'))).toEqual([
      `authenticated:${a.deviceId}`,
    ]);
    const peer = rb.engine.status().peers.find((p) => p.deviceId === a.deviceId);
    expect(peer?.connected).toBe(true);
  });

  it('A9, A16: an unenrolled device gets a typed close and not one byte of any document', async () => {
    const net = createMemoryNetwork({ seed: 82 });
    const { a, b } = await clinicians();
    const stranger = await makeDevice({ facilityCode: FAC_B as never });
    const membership = new Membership([a, b]);
    const ra = createAuthReplica(net, 'a', a, membership);
    // The stranger believes it is enrolled (its own view), the network does not.
    const own = new Membership([a, b, stranger]);
    const rs = createAuthReplica(net, 's', stranger, own);
    writeVisit(ra.host, register(FAC_A), 'summary');
    writeVisit(ra.host, patient(FAC_A, 1), 'secret visit');
    net.link('a', 's');
    await settle(net, [ra, rs]);
    expect(rs.host.holdings().size).toBe(0);
    expect(rs.received.filter((k) => DOC_KINDS.includes(k))).toEqual([]);
    expect(rs.received).toContain('close');
    expect(closeReasons(ra)).toContain('auth-unenrolled');
    // The device that tried learns why, in its own log (the app shows it kindly).
    const told = rs.logger.entries.find((e) => e.event === 'sync.peer-closed');
    expect(told?.details.reason).toBe('auth-unenrolled');
    expect(ra.engine.status().peers.map((p) => p.deviceId)).not.toContain(stranger.deviceId);
  });

  it('A11: a device claiming an enrolled id with another key is refused as key-mismatch', async () => {
    const net = createMemoryNetwork({ seed: 83 });
    const { a, b } = await clinicians();
    const impostorKey = await makeDevice({ facilityCode: FAC_B as never });
    const membership = new Membership([a, b]);
    const ra = createAuthReplica(net, 'a', a, membership);
    // Same id as b, its own key: it cannot sign with b's key.
    const impostor = {
      ...impostorKey,
      deviceId: b.deviceId,
      member: { ...b.member, publicKey: impostorKey.key.publicKey },
    };
    const ri = createAuthReplica(net, 'i', impostor, membership, {
      auth: {
        ...authFor(impostor, membership),
        self: { ...impostorKey.key, deviceId: b.deviceId },
      },
    });
    writeVisit(ra.host, patient(FAC_A, 1), 'secret');
    net.link('a', 'i');
    await settle(net, [ra, ri]);
    expect(closeReasons(ra)).toContain('auth-key-mismatch');
    expect(ri.host.holdings().size).toBe(0);
    // A23: the impostor was never confirmed as b to a's transport, so b's connection stays.
    expect(ra.received.filter((k) => k.startsWith('authenticated:'))).toEqual([]);
  });

  it('A23: a spoofer of an enrolled id neither replaces its connection nor changes its status', async () => {
    const net = createMemoryNetwork({ seed: 84 });
    const { a, b } = await clinicians();
    const spoofer = await makeDevice({ facilityCode: FAC_B as never });
    const membership = new Membership([a, b, spoofer]);
    const ra = createAuthReplica(net, 'a', a, membership);
    const rb = createAuthReplica(net, 'b', b, membership);
    net.link('a', 'b');
    await settle(net, [ra, rb]);
    // The spoofer (itself enrolled) connects on the transport address of b.
    const rs = createAuthReplica(net, 'b-spoof', spoofer, membership);
    const statusBefore = ra.engine.status().peers.find((p) => p.deviceId === b.deviceId);
    net.link('a', 'b-spoof');
    await settle(net, [ra, rb, rs]);
    writeVisit(ra.host, register(FAC_A), 'after the spoof');
    await settle(net, [ra, rb, rs]);
    expect(sortedVisits(rb.host, register(FAC_A))).toEqual(['after the spoof']);
    const statusAfter = ra.engine.status().peers.find((p) => p.deviceId === b.deviceId);
    expect(statusAfter?.connected).toBe(true);
    expect(statusAfter?.facility).toBe(statusBefore?.facility);
  });

  it('A19: a hello that claims to be a relay is believed only from a device enrolled as one', async () => {
    const net = createMemoryNetwork({ seed: 85 });
    const { a, b } = await clinicians();
    const membership = new Membership([a, b]);
    const ra = createAuthReplica(net, 'a', a, membership);
    const rb = createAuthReplica(net, 'b', b, membership, { relay: true, facility: FAC_B });
    writeVisit(ra.host, patient(FAC_A, 1), 'secret');
    net.link('a', 'b');
    await settle(net, [ra, rb]);
    expect(closeReasons(ra)).toContain('auth-identity-mismatch');
    expect(rb.host.holdings().has(patient(FAC_A, 1))).toBe(false);

    // Enrolled as a relay, the same claim is believed and the relay gets everything.
    const relay = await makeDevice({ role: 'relay' });
    membership.enrol(relay);
    const rr = createAuthReplica(net, 'r', relay, membership, { relay: true });
    net.link('a', 'r');
    await settle(net, [ra, rr]);
    expect(sortedVisits(rr.host, patient(FAC_A, 1))).toEqual(['secret']);
  });

  it('A10, A22: a revoked device is cut off at once and refused when it comes back', async () => {
    const net = createMemoryNetwork({ seed: 86 });
    const { a, b } = await clinicians();
    const membership = new Membership([a, b]);
    const ra = createAuthReplica(net, 'a', a, membership);
    const rb = createAuthReplica(net, 'b', b, membership);
    net.link('a', 'b');
    await settle(net, [ra, rb]);
    membership.revoke(b);
    ra.engine.membershipChanged();
    await settle(net, [ra, rb]);
    expect(closeReasons(ra)).toContain('auth-revoked');
    writeVisit(ra.host, register(FAC_A), 'after revocation');
    net.unlink('a', 'b');
    net.link('a', 'b');
    await settle(net, [ra, rb]);
    expect(rb.host.holdings().has(register(FAC_A))).toBe(false);
    expect(closeReasons(ra).filter((r) => r === 'auth-revoked').length).toBeGreaterThanOrEqual(2);
  });
});

describe('roles decide reads and writes (auth.md A20–A21)', () => {
  it('A20: a district supervisor receives only its district; a network supervisor all', async () => {
    const net = createMemoryNetwork({ seed: 87 });
    const a = await makeDevice({ facilityCode: FAC_A as never });
    const district = await makeDevice({
      role: 'supervisor',
      readScope: { kind: 'district', district: 'ilala' },
    });
    const whole = await makeDevice({ role: 'supervisor', readScope: { kind: 'network' } });
    const membership = new Membership([a, district, whole]);
    const ra = createAuthReplica(net, 'a', a, membership, { relay: false });
    writeVisit(ra.host, network, 'settings');
    writeVisit(ra.host, register(FAC_A), 'A summary'); // ilala
    writeVisit(ra.host, register(FAC_C), 'C summary'); // kinondoni
    writeVisit(ra.host, patient(FAC_C, 1), 'C visit');
    const rd = createAuthReplica(net, 'd', district, membership);
    const rw = createAuthReplica(net, 'w', whole, membership);
    net.link('a', 'd');
    net.link('a', 'w');
    await settle(net, [ra, rd, rw]);
    expect([...rd.host.holdings()].sort()).toEqual([network, register(FAC_A)].sort());
    expect([...rw.host.holdings()].sort()).toEqual(
      [network, register(FAC_A), register(FAC_C)].sort(),
    );
    // Asking for a record outside its district is answered as not held.
    const refused = rd.engine.request(patient(FAC_C, 1));
    await settle(net, [ra, rd]);
    expect(await refused).toEqual({ ok: false, error: 'not-found' });
    expect(rd.host.holdings().has(patient(FAC_C, 1))).toBe(false);
    const fetched = rw.engine.request(patient(FAC_C, 1));
    await settle(net, [ra, rw]);
    expect(await fetched).toEqual({ ok: true, value: undefined });
    expect(sortedVisits(rw.host, patient(FAC_C, 1))).toEqual(['C visit']);
  });

  it('A21: a write forced through a supervisor engine is refused and logged; nothing changes', async () => {
    const net = createMemoryNetwork({ seed: 88 });
    const a = await makeDevice({ facilityCode: FAC_A as never });
    const sup = await makeDevice({ role: 'supervisor', readScope: { kind: 'network' } });
    const membership = new Membership([a, sup]);
    const ra = createAuthReplica(net, 'a', a, membership);
    const rs = createAuthReplica(net, 's', sup, membership);
    writeVisit(ra.host, register(FAC_A), 'real');
    net.link('a', 's');
    await settle(net, [ra, rs]);
    expect(sortedVisits(rs.host, register(FAC_A))).toEqual(['real']);
    // Modified software writes anyway: the change goes out as a live update.
    writeVisit(rs.host, register(FAC_A), 'forged by a supervisor');
    await settle(net, [ra, rs]);
    expect(sortedVisits(ra.host, register(FAC_A))).toEqual(['real']);
    const refusal = ra.engine.status().refusals.find((r) => r.deviceId === sup.deviceId);
    expect(refusal?.reason).toBe('read-only-role');
    // The honest session goes on: a later change still reaches the supervisor.
    writeVisit(ra.host, register(FAC_A), 'later');
    await settle(net, [ra, rs]);
    expect(sortedVisits(rs.host, register(FAC_A))).toContain('later');
  });
});
