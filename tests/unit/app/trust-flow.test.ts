/**
 * Networks, invites and revocation over the real app stack (issue 8 points 1, 3, 5, 8;
 * protocol.md §22 MS7–MS14): a founder creates a network, invites a facility device, the
 * newcomer joins through whichever member it meets, data flows (and a fetched record logs who
 * fetched it), a stranger gets nothing, a used
 * invite admits no one else, a revoked device is cut off, and admin rights are given and
 * taken back (MS18).
 */
import { describe, expect, it } from 'vitest';
import { createMemoryNetwork } from '../../../src/sync';
import { readMembershipOps } from '../../../src/crdt/membership-store';
import { networkDocId } from '../../../src/crdt/doc-id';
import { aminaForm, setupInput } from './harness';
import {
  closeReasonsOf,
  founder,
  invite,
  inviteFor,
  joinWith,
  networkInput,
  settle,
  trustedDevice,
} from './trusted-device';

describe('networks and invites over the app stack', () => {
  it('MS7 MS8 MS9 a founder invites a facility device; once they meet it is a member and data flows', async () => {
    const net = createMemoryNetwork({ seed: 8, delivery: 'microtask' });
    const a = await founder(net, 'a');
    expect(a.network.status().trust).toMatchObject({ kind: 'member', admin: true });
    // The next free serial block of a facility skips one an open invite already promises.
    expect(a.network.nextFreeSlot('01020004')).toBe(1);
    const link = await invite(a, '01020004', 'Sinza CTC');
    expect(a.network.nextFreeSlot('01020004')).toBe(2);
    expect(a.network.nextFreeSlot('01020003')).toBe(2);
    // The secret travels only in the fragment (I7).
    expect(link.split('#')[0]).toBe('https://pamoja.example/app/');

    const b = await trustedDevice(net, 'b');
    await joinWith(b, link);
    expect(b.network.status().trust).toEqual({ kind: 'joining', networkName: 'Kinondoni CTCs' });
    expect(b.network.settings()?.secret).toBe(a.network.settings()?.secret);

    net.link('a', 'b');
    await settle(net, a, b);
    expect(b.network.status().trust).toMatchObject({ kind: 'member', admin: false });
    const members = a.network.members();
    expect(members.map((m) => [m.facilityCode, m.slot, m.self])).toEqual([
      ['01020003', 1, true],
      ['01020004', 1, false],
    ]);
    // The history is in B's network document, so it survives a restart and travels on.
    const ops = readMembershipOps(await b.repo.get(networkDocId));
    expect(ops.length).toBe(a.trust.history()?.all().length);

    const registered = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    if (!registered.ok) throw new Error('register');
    await settle(net, a, b);
    expect((await b.service.search('amina')).map((h) => h.ctcId)).toEqual([registered.value]);

    // AL1–AL3: B fetches the record; A, which handed it over, logs who asked, in the record.
    expect(await b.network.requestRecord(registered.value)).toBe('received');
    await settle(net, a, b);
    for (const device of [a, b]) {
      const access = (await device.service.getPatient(registered.value))?.access ?? [];
      expect(access.map((r) => [r.deviceId, r.facility, r.servedBy, r.user])).toEqual([
        [b.trust.key.deviceId, '01020004', a.trust.key.deviceId, 'User of b'],
      ]);
    }
  });

  it('MS13 a device of another network (same name) and a second use of a one-use invite get nothing', async () => {
    const net = createMemoryNetwork({ seed: 9, delivery: 'microtask' });
    const a = await founder(net, 'a');
    const link = await invite(a, '01020004', 'Sinza CTC');
    const b = await trustedDevice(net, 'b');
    await joinWith(b, link);
    net.link('a', 'b');
    await settle(net, a, b);
    expect(b.network.status().trust.kind).toBe('member');
    const registered = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    if (!registered.ok) throw new Error('register');

    // A stranger founds a network with the same name, and a third device reuses B's invite.
    const stranger = await founder(net, 'stranger');
    expect(stranger.network.settings()?.networkName).toBe(networkInput.networkName);
    const reuse = await trustedDevice(net, 'reuse');
    await joinWith(reuse, link);
    net.link('stranger', 'a');
    net.link('reuse', 'a');
    net.link('reuse', 'b');
    await settle(net, a, b, stranger, reuse);

    expect(reuse.network.status().trust.kind).toBe('joining');
    // The device the invite admitted first stays a member, whatever the op ids (MS14).
    expect(b.network.status().trust.kind).toBe('member');
    expect(a.trust.history()?.lookup(reuse.trust.key.deviceId)).toBeUndefined();
    for (const outsider of [stranger, reuse]) {
      expect(await outsider.service.search('amina')).toEqual([]);
    }
    expect(closeReasonsOf(a)).toEqual(expect.arrayContaining(['auth-unenrolled']));
    expect(a.network.members()).toHaveLength(2);
  });

  it('MS10 MS11 an admin revokes a device: its sessions end, it is refused, and it learns why', async () => {
    const net = createMemoryNetwork({ seed: 10, delivery: 'microtask' });
    const a = await founder(net, 'a');
    const b = await trustedDevice(net, 'b');
    const c = await trustedDevice(net, 'c');
    await joinWith(b, await invite(a, '01020004', 'Sinza CTC'));
    await joinWith(c, await invite(a, '01020005', 'Magomeni CTC'));
    net.link('a', 'b');
    net.link('a', 'c');
    await settle(net, a, b, c);
    // B and C learned of each other from A's network document, so they now accept each other.
    net.link('b', 'c');
    await settle(net, a, b, c);
    expect(c.network.status().trust.kind).toBe('member');
    expect(
      b.network.status().peers.some((p) => p.connected && p.deviceId === c.trust.key.deviceId),
    ).toBe(true);

    const revoked = await a.network.revoke(b.trust.key.deviceId);
    expect(revoked.ok).toBe(true);
    await settle(net, a, b, c);
    expect(a.network.members().find((m) => m.deviceId === b.trust.key.deviceId)?.revoked).toBe(
      true,
    );
    // C learned of the revocation from A's network document and refuses B too.
    expect(c.trust.history()?.isRevoked(b.trust.key.deviceId)).toBe(true);
    expect(closeReasonsOf(c)).toEqual(expect.arrayContaining(['auth-revoked']));
    expect(closeReasonsOf(a)).toEqual(expect.arrayContaining(['auth-revoked']));

    const later = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    if (!later.ok) throw new Error('register');
    await settle(net, a, b, c);
    expect((await c.service.search('amina')).length).toBe(1);
    expect(await b.service.search('amina')).toEqual([]);
    expect(b.network.status().trust.kind).toBe('revoked');
  });
  it('MS18 an admin makes a device a district admin, which can then invite; the rights are withdrawn and it can no longer', async () => {
    const net = createMemoryNetwork({ seed: 12, delivery: 'microtask' });
    const a = await founder(net, 'a');
    const b = await trustedDevice(net, 'b');
    await joinWith(b, await invite(a, '01020004', 'Sinza CTC'));
    net.link('a', 'b');
    await settle(net, a, b);
    const bId = b.trust.key.deviceId;
    expect(b.network.status().trust).toMatchObject({ kind: 'member', admin: false });
    // Before any grant B is refused, and a device nobody knows cannot be made an admin.
    expect(await b.network.createInvite(inviteFor('01020005', 'Magomeni CTC'))).toMatchObject({
      ok: false,
      error: { type: 'refused', code: 'not-admin' },
    });
    expect(await a.network.grantAdmin('d0000000000000000', 'district')).toMatchObject({
      ok: false,
      error: { type: 'refused', code: 'unknown-device' },
    });

    expect((await a.network.grantAdmin(bId, 'district')).ok).toBe(true);
    expect(await a.network.grantAdmin(bId, 'district')).toMatchObject({
      ok: false,
      error: { type: 'refused', code: 'already-admin' },
    });
    await settle(net, a, b);
    expect(b.network.status().trust).toMatchObject({ kind: 'member', admin: true });
    for (const device of [a, b]) {
      expect(device.network.members().find((m) => m.deviceId === bId)?.adminScope).toEqual({
        kind: 'district',
        district: 'Kinondoni',
      });
    }
    const byB = await b.network.createInvite(inviteFor('01020005', 'Magomeni CTC'));
    expect(byB.ok).toBe(true);
    // The fold gives a district admin no network rights, so the app does not offer them.
    const founderId = a.trust.key.deviceId;
    expect(await b.network.withdrawAdmin(founderId)).toMatchObject({
      ok: false,
      error: { type: 'refused', code: 'not-admin' },
    });

    expect((await a.network.withdrawAdmin(bId)).ok).toBe(true);
    await settle(net, a, b);
    expect(b.network.status().trust).toMatchObject({ kind: 'member', admin: false });
    expect(b.network.members().find((m) => m.deviceId === bId)?.adminScope).toBeUndefined();
    expect(await b.network.createInvite(inviteFor('01020006', 'Mwananyamala CTC'))).toMatchObject({
      ok: false,
      error: { type: 'refused', code: 'not-admin' },
    });
    expect(await a.network.withdrawAdmin(bId)).toMatchObject({
      ok: false,
      error: { type: 'refused', code: 'not-an-admin' },
    });
  });
});

describe('a supervisor over the app stack', () => {
  it('MS15 MS16 A20 A21 a district supervisor reads its district, not another, and writes nothing', async () => {
    const net = createMemoryNetwork({ seed: 11, delivery: 'microtask' });
    const a = await founder(net, 'a');
    const c = await trustedDevice(net, 'c');
    const elsewhere = { ...inviteFor('01020005', 'Buguruni CTC'), district: 'Ilala' };
    const cLink = await a.network.createInvite(elsewhere);
    if (!cLink.ok) throw new Error('invite');
    await joinWith(c, cLink.value.link);
    net.link('a', 'c');
    await settle(net, a, c);

    const invited = await a.network.createInvite({
      ...inviteFor('', ''),
      role: 'supervisor',
      scopeDistrict: 'Kinondoni',
    });
    if (!invited.ok) throw new Error(`invite failed: ${JSON.stringify(invited.error)}`);
    const s = await trustedDevice(net, 's');
    const summary = s.network.readInvite(invited.value.link);
    expect(summary.ok && summary.value).toMatchObject({
      role: 'supervisor',
      district: 'Kinondoni',
    });
    // A facility device cannot take a supervisor invite, nor a supervisor a facility's.
    const clinic = await trustedDevice(net, 'clinic');
    expect((await clinic.service.setupDevice(setupInput)).ok).toBe(true);
    expect(await clinic.network.joinWithInvite(invited.value.link)).toMatchObject({
      ok: false,
      error: { type: 'refused', code: 'invite-other-role' },
    });
    const profile = await s.service.setupSupervisor({
      userName: 'Mwanaidi Juma',
      language: 'sw',
      scopeName: 'Kinondoni',
    });
    expect(profile.ok).toBe(true);
    expect((await s.network.joinWithInvite(invited.value.link)).ok).toBe(true);

    const ours = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    const theirs = await c.service.registerPatient(
      { ...aminaForm, givenName: 'Rehema' },
      { acknowledgeDuplicate: false },
    );
    if (!ours.ok || !theirs.ok) throw new Error('register');
    net.link('s', 'a');
    net.link('s', 'c');
    await settle(net, a, c, s);

    expect(s.network.status().trust).toMatchObject({ kind: 'member', role: 'supervisor' });
    expect((await s.service.search('amina')).map((h) => h.ctcId)).toEqual([ours.value]);
    expect(await s.service.search('rehema')).toEqual([]);
    expect(await s.network.requestRecord(ours.value)).toBe('received');
    expect(await s.network.requestRecord(theirs.value)).toBe('not-found');
    // Its district overview lists the facilities of its scope only, as the membership grants it.
    expect((await s.service.overviewFacilities()).map((f) => f.code)).toEqual(['01020003']);
    // Nothing to write with: the service refuses, and nothing the supervisor holds changed.
    const write = await s.service.registerPatient(aminaForm, { acknowledgeDuplicate: true });
    expect(write).toMatchObject({ ok: false, error: { type: 'not-permitted' } });
    // The supervisor sent its peers no change at all (one would be refused as read-only-role).
    const refusals = [a, c].flatMap((d) => d.network.status().refusals);
    expect(refusals.filter((r) => r.reason === 'read-only-role')).toEqual([]);
  });
});
