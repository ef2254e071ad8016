/**
 * Signed changes over the real app stack (issue 8 points 5 and 6; protocol.md §23 SC1–SC22,
 * docs/security.md WR1–WR26): every change is signed by its author's device key, travels and is
 * stored unchanged through other devices, and every peer verifies it and applies the role rule
 * table before anything is stored. Hostile changes are sent by a member running modified
 * software (`inject`): each is refused with a typed reason, nothing of it is stored, and the
 * session goes on.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { networkDocId, patientDocId, registerDocId, type DocId } from '../../../src/crdt/doc-id';
import { appendEntry } from '../../../src/crdt/patient-doc';
import { createChangeSigner } from '../../../src/crdt/trust/change-signer';
import { deviceClientIds } from '../../../src/crdt/trust/client-ids';
import { createDeviceKey } from '../../../src/crdt/trust/device-key';
import { decodeSignedChange } from '../../../src/crdt/trust/signed-change';
import type { DeviceId, Entry, EntryId, FacilityCode } from '../../../src/domain/types';
import { createMemoryNetwork } from '../../../src/sync';
import { aminaForm, setupInput, visitForm } from './harness';
import {
  closeReasonsOf,
  founder,
  invite,
  inviteFor,
  joinWith,
  restart,
  settle,
  trustedDevice,
  type TrustedDevice,
} from './trusted-device';

const HOME = '01020003' as FacilityCode;

/** A founder A, facility devices B (Sinza) and C (Mburahati); A's patient Amina, seen at B. */
async function world(seed: number) {
  const net = createMemoryNetwork({ seed, delivery: 'microtask' });
  const a = await founder(net, 'a');
  const b = await trustedDevice(net, 'b');
  const c = await trustedDevice(net, 'c');
  await joinWith(b, await invite(a, '01020004', 'Sinza CTC'));
  await joinWith(c, await invite(a, '01020005', 'Mburahati CTC'));
  net.link('a', 'b');
  await settle(net, a, b);
  net.link('b', 'c');
  await settle(net, a, b, c);
  const registered = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
  if (!registered.ok) throw new Error('register');
  const ctcId = registered.value;
  await settle(net, a, b, c);
  if ((await b.network.requestRecord(ctcId)) !== 'received') throw new Error('fetch at B');
  const visit = await b.service.recordVisit(ctcId, visitForm('2026-03-10', '2026-04-09'));
  if (!visit.ok) throw new Error(`visit at B: ${JSON.stringify(visit.error)}`);
  await settle(net, a, b, c);
  return { net, a, b, c, ctcId, docId: patientDocId(ctcId) };
}

/** An update made on a copy of `device`'s document, under `clientId` (its own by default). */
async function updateAt(
  device: TrustedDevice,
  docId: DocId,
  edit: (doc: Y.Doc) => void,
  clientId = device.repo.clientId,
): Promise<Uint8Array> {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(await device.repo.get(docId)));
  copy.clientID = clientId;
  let update: Uint8Array | undefined;
  copy.on('update', (u: Uint8Array) => (update = u));
  copy.transact(() => edit(copy));
  if (!update) throw new Error('the edit changed nothing');
  return update;
}

/** `device`'s change, signed by its own key (or `signer` as author `author`). */
async function signedBy(
  device: TrustedDevice,
  docId: DocId,
  update: Uint8Array,
  signer: Parameters<typeof createChangeSigner>[0] = device.trust.key,
  author: DeviceId = device.trust.key.deviceId,
): Promise<Uint8Array> {
  return (await createChangeSigner(signer, author)(docId, update)).bytes;
}

/** A copy of the first visit in the record, as a new entry with its stamp changed by `edit`. */
async function anotherVisit(
  device: TrustedDevice,
  docId: DocId,
  stamp: Partial<Entry['stamp']> = {},
): Promise<Entry> {
  const first = (await device.repo.get(docId)).getArray<Entry>('visits').get(0);
  return {
    ...first,
    id: `${first.id.slice(0, -1)}9` as EntryId,
    stamp: { ...first.stamp, deviceId: device.trust.key.deviceId, ...stamp },
  };
}

/** The refusals `device` logged for `docId`: reason, then the detail (a write rule names its row). */
const refusalsAt = (device: TrustedDevice, docId: DocId) =>
  device.log
    .filter((e) => e.event === 'sync.update-refused' && e.details.docId === docId)
    .map((e) => ({ reason: String(e.details.reason), detail: String(e.details.detail) }));

const storedIds = async (device: TrustedDevice, docId: DocId) =>
  (await device.store.loadChanges(docId)).map((change) => change.id);

const authorsOf = async (device: TrustedDevice, docId: DocId) =>
  (await device.store.loadChanges(docId)).map((change) => {
    const decoded = decodeSignedChange(change.bytes);
    if (!decoded.ok) throw new Error('a stored change does not decode');
    return decoded.value.author;
  });

describe('signed changes over the app stack', () => {
  it('WR25 SC9 a newcomer a relay admitted while the admin was away is known to the admin once they meet again', async () => {
    const net = createMemoryNetwork({ seed: 39, delivery: 'microtask' });
    const a = await founder(net, 'a');
    const relayInvite = await a.network.createInvite({ ...inviteFor('', ''), role: 'relay' });
    if (!relayInvite.ok) throw new Error('invite');
    const r = await trustedDevice(net, 'r');
    await r.service.setupDevice({ ...setupInput, facilityCode: '01020009', userName: 'Relay' });
    expect((await r.network.joinWithInvite(relayInvite.value.link)).ok).toBe(true);
    net.link('a', 'r');
    await settle(net, a, r);
    const link = await invite(a, '01020004', 'Sinza CTC');
    await settle(net, a, r);
    // A leaves; D joins through the relay, which admits it.
    net.unlink('a', 'r');
    const d = await trustedDevice(net, 'd');
    await joinWith(d, link);
    net.link('r', 'd');
    await settle(net, r, d);
    expect(d.network.status().trust).toMatchObject({ kind: 'member' });
    expect(a.trust.history()?.lookup(d.trust.key.deviceId)).toBeUndefined();
    // A meets the relay again: it learns the admission (the relay's own membership change).
    net.link('a', 'r');
    await settle(net, a, r, d);
    expect(a.trust.history()?.lookup(d.trust.key.deviceId)).toBeDefined();
    // Then A and D meet, and D's own changes (its device, as setup wrote it) are taken.
    net.link('a', 'd');
    await settle(net, a, r, d);
    expect(closeReasonsOf(a)).not.toContain('auth-unenrolled');
    expect((await a.repo.get(networkDocId)).getMap('devices').has(d.trust.key.deviceId)).toBe(true);
    // A change of D's that came before its admission was asked for again once the network
    // document listed D (SC19): at most a passing refusal, and everything stored in the end.
    for (const refusal of a.network.status().refusals) {
      expect(refusal.reason).toBe('unknown-author');
      expect(await a.repo.isStored(refusal.docId as DocId)).toBe(true);
    }
    expect(await a.repo.isStored(registerDocId('01020004' as FacilityCode))).toBe(true);
  });

  it('WR2 WR26 a relay carries every record and offers nothing of its own that peers would refuse', async () => {
    const net = createMemoryNetwork({ seed: 38, delivery: 'microtask' });
    const a = await founder(net, 'a');
    const created = await a.network.createInvite({ ...inviteFor('', ''), role: 'relay' });
    if (!created.ok) throw new Error('invite');
    const r = await trustedDevice(net, 'r');
    // A relay box is set up like a device (its own facility details), then joins as a relay.
    const setUp = await r.service.setupDevice({
      ...setupInput,
      facilityCode: '01020009',
      facilityName: 'District relay',
      userName: 'Relay keeper',
    });
    expect(setUp.ok).toBe(true);
    expect((await r.network.joinWithInvite(created.value.link)).ok).toBe(true);
    net.link('a', 'r');
    await settle(net, a, r);
    const registered = await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    if (!registered.ok) throw new Error('register');
    await settle(net, a, r);
    expect(await r.repo.isStored(patientDocId(registered.value))).toBe(true);
    // Its screens cannot make a clinical change either: every peer would refuse it.
    const onRelay = await r.service.registerPatient(aminaForm, { acknowledgeDuplicate: true });
    expect(onRelay).toMatchObject({ ok: false, error: { type: 'not-permitted' } });
    // What its setup wrote (its device, user, facility and register) stays with it.
    expect(a.network.status().refusals).toEqual([]);
    expect((await a.repo.get(networkDocId)).getMap('devices').has(r.trust.key.deviceId)).toBe(
      false,
    );
  });

  it('MS12 SC1 SC13: a member restarts on its storage: same key and id, still a member, its new changes still signed and taken', async () => {
    const { net, a, b, ctcId, docId } = await world(37);
    const again = await restart(net, b);
    expect(again.trust.key.deviceId).toBe(b.trust.key.deviceId);
    expect(again.service.profile()?.deviceId).toBe(b.trust.key.deviceId);
    expect((await deviceClientIds(again.key.publicKey)).includes(again.repo.clientId)).toBe(true);
    await settle(net, a, again);
    expect(again.network.status().trust).toMatchObject({ kind: 'member' });
    const before = (await storedIds(a, docId)).length;
    const visit = await again.service.recordVisit(ctcId, visitForm('2026-03-10', '2026-04-10'));
    expect(visit).toMatchObject({ ok: true });
    await settle(net, a, again);
    const authors = await authorsOf(a, docId);
    expect(authors.length).toBe(before + 1);
    expect(authors.at(-1)).toBe(b.trust.key.deviceId);
    expect((await a.service.getPatient(ctcId))?.visits.length).toBe(2);
    expect(refusalsAt(a, docId)).toEqual([]);
  });

  it('SC1 SC14 SC15: every change is stored signed, and reaches a third device byte for byte through another', async () => {
    const { net, a, b, c, ctcId, docId } = await world(31);
    // A's registration and B's visit, each signed by its author, are held by A and by B.
    for (const device of [a, b]) {
      expect(new Set(await authorsOf(device, docId))).toEqual(
        new Set([a.trust.key.deviceId, b.trust.key.deviceId]),
      );
    }
    // C was admitted by B, not A: its own changes (its device, as setup wrote it) reach A through
    // B once A's history holds C, with no refusal on the way (SC9 waits for the history, MS11).
    expect(refusalsAt(a, networkDocId)).toEqual([]);
    expect((await a.repo.get(networkDocId)).getMap('devices').has(c.trust.key.deviceId)).toBe(true);
    // C never meets A: it fetches the record from B, which sends what A and B signed, unchanged.
    expect(await c.network.requestRecord(ctcId)).toBe('received');
    await settle(net, a, b, c);
    const atB = await b.store.loadChanges(docId);
    const atC = await c.store.loadChanges(docId);
    expect(atC.map((x) => x.id).sort()).toEqual(atB.map((x) => x.id).sort());
    for (const change of atC) {
      const same = atB.find((x) => x.id === change.id)!;
      expect(Buffer.from(change.bytes).equals(Buffer.from(same.bytes))).toBe(true);
    }
    expect((await c.service.getPatient(ctcId))?.history.length).toBe(
      (await a.service.getPatient(ctcId))?.history.length,
    );
    expect(refusalsAt(c, docId)).toEqual([]);
    // The record says, per entry, which device signed it: B's visit, verified, at A and at C.
    for (const device of [a, c]) {
      const view = await device.service.getPatient(ctcId);
      expect(view?.visits.map((v) => v.signedBy)).toEqual([
        { deviceId: b.trust.key.deviceId, matchesStamp: true },
      ]);
      expect(view?.history.every((e) => e.signedBy?.matchesStamp)).toBe(true);
    }
  });

  it('WR12: only the registering facility may change the details; elsewhere the service says no', async () => {
    const { a, b, ctcId } = await world(36);
    expect((await a.service.getPatient(ctcId))?.demographicsEditable).toBe(true);
    expect((await b.service.getPatient(ctcId))?.demographicsEditable).toBe(false);
    const edit = await b.service.editDemographics(ctcId, { ...aminaForm, givenName: 'Aminah' });
    expect(edit).toMatchObject({ ok: false, error: { type: 'not-permitted' } });
    expect((await b.service.getPatient(ctcId))?.demographics.givenName).toBe('Amina');
  });

  it('SC7 SC19: a forged signature is refused by the peer and nothing of it is stored; the session goes on', async () => {
    const { net, a, b, docId } = await world(32);
    const before = await storedIds(a, docId);
    const visit = await anotherVisit(b, docId);
    const good = await signedBy(b, docId, await updateAt(b, docId, (d) => appendEntry(d, visit)));
    const forged = good.slice();
    // The signature's last byte (the update follows it): it no longer verifies.
    const decoded = decodeSignedChange(good);
    if (!decoded.ok) throw new Error('decode');
    const at = good.length - decoded.value.update.length - 1;
    forged[at] = forged[at]! ^ 0x01;
    b.inject(docId, [forged]);
    await settle(net, a, b);
    expect(refusalsAt(a, docId).map((r) => r.reason)).toEqual(['bad-signature']);
    expect(await storedIds(a, docId)).toEqual(before);
    // The same change, honestly signed, still goes through the same session.
    b.inject(docId, [good]);
    await settle(net, a, b);
    expect((await storedIds(a, docId)).length).toBe(before.length + 1);
  });

  it('SC9 SC10: a change by a key nobody enrolled, or under another device’s client id, is refused', async () => {
    const { net, a, b, docId } = await world(33);
    const before = await storedIds(a, docId);
    const stranger = await createDeviceKey({ algorithm: 'Ed25519' });
    const visit = await anotherVisit(b, docId);
    const update = await updateAt(b, docId, (d) => appendEntry(d, visit));
    const byStranger = await signedBy(b, docId, update, stranger, 'd00000000000000ee' as DeviceId);
    // Signed by B, but written under A's client id: same client and clock, other content.
    const underA = await signedBy(
      b,
      docId,
      await updateAt(b, docId, (d) => appendEntry(d, visit), a.repo.clientId),
    );
    b.inject(docId, [byStranger, underA]);
    await settle(net, a, b);
    expect(refusalsAt(a, docId).map((r) => r.reason)).toEqual(['unknown-author', 'foreign-client']);
    expect(await storedIds(a, docId)).toEqual(before);
  });

  it('WR6 WR8 WR12 WR15 U6: a stamp of another device or an unlisted user, demographics, a register edit or a visit delete by another facility is refused', async () => {
    const { net, a, b, docId, ctcId } = await world(34);
    const register = registerDocId(HOME);
    const beforePatient = await storedIds(a, docId);
    const beforeRegister = await storedIds(a, register);
    const stamped = await anotherVisit(b, docId, { deviceId: a.trust.key.deviceId });
    const stranger = await anotherVisit(b, docId, { userId: 'nobody' as Entry['stamp']['userId'] });
    // Modified software at B writes what its screens would never offer.
    await b.repo.write(docId, (d) => appendEntry(d, stamped));
    // Inserted first in the list, so it does not hang on the refused entry above (unresolvable).
    await b.repo.write(docId, (d) =>
      d.getArray('visits').insert(0, [{ ...stranger, id: `${stranger.id.slice(0, -1)}8` }]),
    );
    await b.repo.write(docId, (d) => d.getMap('demographics').set('phone', '+255 700 000 000'));
    // The visit B recorded honestly (now second: the unlisted user's entry went first).
    await b.repo.write(docId, (d) => d.getArray('visits').delete(1, 1));
    if (await b.repo.isStored(register)) {
      await b.repo.write(register, (d) => {
        const summary = d.getMap('patients').get(ctcId) as Y.Map<unknown> | undefined;
        summary?.set('givenName', 'Someone else');
      });
    }
    await settle(net, a, b);
    const reasons = refusalsAt(a, docId).map((r) => `${r.reason} ${r.detail}`);
    expect(reasons.some((r) => r.startsWith('write-rule WR6'))).toBe(true);
    expect(
      reasons.some((r) => r.startsWith('write-rule WR8')),
      reasons.join('; '),
    ).toBe(true);
    expect(reasons.some((r) => r.startsWith('write-rule WR12'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('deletion'))).toBe(true);
    expect(await storedIds(a, docId)).toEqual(beforePatient);
    expect(await storedIds(a, register)).toEqual(beforeRegister);
    if (await b.repo.isStored(register)) {
      expect(refusalsAt(a, register).map((r) => `${r.reason} ${r.detail}`)).toEqual([
        expect.stringMatching(/^write-rule WR15/),
      ]);
    }
    // The visit B recorded honestly is still there, at A and at B.
    const visits = (await a.service.getPatient(ctcId))?.visits ?? [];
    expect(visits.length).toBe(1);
  });

  it('WR1 WR3: a supervisor’s forced write, and a revoked device’s later change carried by another, are refused', async () => {
    const { net, a, b, c, docId, ctcId } = await world(35);
    // C fetches the record, then is revoked; its later change reaches A only through B.
    expect(await c.network.requestRecord(ctcId)).toBe('received');
    await settle(net, a, b, c);
    const revoked = await a.network.revoke(c.trust.key.deviceId);
    expect(revoked.ok).toBe(true);
    await settle(net, a, b, c);
    const before = await storedIds(a, docId);
    const late = await anotherVisit(c, docId, {
      facilityCode: '01020005' as Entry['stamp']['facilityCode'],
    });
    const afterRevocation = await signedBy(
      c,
      docId,
      await updateAt(c, docId, (d) => appendEntry(d, late)),
    );
    b.inject(docId, [afterRevocation]);
    await settle(net, a, b, c);
    expect(refusalsAt(a, docId).map((r) => `${r.reason} ${r.detail}`)).toEqual([
      expect.stringMatching(/^write-rule WR3/),
    ]);
    expect(await storedIds(a, docId)).toEqual(before);

    // A supervisor's change, forced past its screens, and the same carried by B.
    const invited = await a.network.createInvite({
      ...inviteFor('', ''),
      role: 'supervisor',
      scopeDistrict: 'Kinondoni',
    });
    if (!invited.ok) throw new Error('invite');
    const s = await trustedDevice(net, 's');
    await s.service.setupSupervisor({
      userName: 'Mwanaidi',
      language: 'sw',
      scopeName: 'Kinondoni',
    });
    expect((await s.network.joinWithInvite(invited.value.link)).ok).toBe(true);
    net.link('s', 'a');
    await settle(net, a, b, s);
    expect(await s.network.requestRecord(ctcId)).toBe('received');
    await settle(net, a, b, s);
    // A logged who fetched the record (its own signed change); nothing else may change after.
    const beforeSupervisor = await storedIds(a, docId);
    const fromSupervisor = await anotherVisit(s, docId);
    await s.repo.write(docId, (d) => appendEntry(d, fromSupervisor));
    b.inject(
      docId,
      (await s.store.loadChanges(docId)).slice(-1).map((x) => x.bytes),
    );
    await settle(net, a, b, s);
    const reasons = refusalsAt(a, docId).map((r) => `${r.reason} ${r.detail}`);
    expect(reasons).toContainEqual(expect.stringMatching(/^read-only-role/));
    expect(reasons).toContainEqual(expect.stringMatching(/^write-rule WR1 /));
    expect(await storedIds(a, docId)).toEqual(beforeSupervisor);
  });
});
