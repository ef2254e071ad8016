/**
 * The hostile updates of issue 7, each sent through the real wire protocol to a victim on the
 * real stack (docs/protocol.md §15). Each: refused with a typed reason, stored data unchanged,
 * the session stays open, the friend's session unaffected, shown in `status().refusals`, and
 * not re-offered in a loop over reconnects.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { networkDocId, patientDocId, registerDocId, type DocId } from '../../../src/crdt/doc-id';
import { initPatientDoc, appendEntry } from '../../../src/crdt/patient-doc';
import { initRegisterDoc, upsertSummary } from '../../../src/crdt/register-doc';
import { readFollowUpPolicy, putFacility } from '../../../src/crdt/network-doc';
import { defaultFollowUpPolicy } from '../../../src/domain/types';
import type { CtcId, EntryId, FacilityCode, Stamp } from '../../../src/domain/types';
import type { RefusalReason } from '../../../src/crdt/policy/refusal';
import { aminaForm } from '../app/harness';
import {
  FAC,
  connectedTo,
  reconnectEvil,
  refusalsOf,
  settle,
  storedState,
  world,
} from './wire-harness';

const serial = (counter: number) => `${FAC}01${String(counter).padStart(4, '0')}` as CtcId;
const stamp: Stamp = {
  userId: 'evil' as Stamp['userId'],
  userName: 'Evil',
  role: 'clinician',
  deviceId: 'evil-device' as Stamp['deviceId'],
  facilityCode: FAC as FacilityCode,
  at: '2026-03-10T09:00:00.000Z' as Stamp['at'],
};

type World = Awaited<ReturnType<typeof world>>;

/** The checks every attack shares (U1, U34, E7). */
async function expectRefused(
  w: World,
  docId: DocId,
  reason: RefusalReason,
  before: string,
): Promise<void> {
  await settle(w.net);
  const refused = refusalsOf(w.victim, docId);
  expect(refused.map((e) => e.details.reason)).toContain(reason);
  // status().refusals keeps the newest 50: the reason shows there even after a burst.
  expect(w.victim.engine.status().refusals.some((r) => r.reason === reason)).toBe(true);
  expect(await storedState(w.victim.store)).toBe(before);
  expect(connectedTo(w.victim.engine, 'evil-device')).toBe(true);
  expect(connectedTo(w.victim.engine, 'friend-device')).toBe(true);
}

/** U35: reconnecting does not make the same refused change loop: at most one refusal a session. */
async function expectBounded(w: World, docId: DocId, reconnects = 3): Promise<void> {
  const first = refusalsOf(w.victim, docId).length;
  await reconnectEvil(w.net, reconnects);
  const after = refusalsOf(w.victim, docId).length;
  expect(after - first).toBeLessThanOrEqual(reconnects * 2);
  expect(connectedTo(w.victim.engine, 'evil-device')).toBe(true);
}

describe('§15 hostile updates through the wire (issue 7)', () => {
  it('U6 U7 deleting every visit and the demographics log is refused; the record keeps them', async () => {
    const w = await world();
    const docId = patientDocId(w.victim.amina);
    expect(w.evil.host.has(docId)).toBe(true);
    const before = await storedState(w.victim.store);
    w.evil.host.change(docId, (d) => {
      d.getArray('visits').delete(0, d.getArray('visits').length);
      d.getArray('demographicsLog').delete(0, d.getArray('demographicsLog').length);
    });
    await expectRefused(w, docId, 'deletion', before);
    const view = await w.victim.service.getPatient(w.victim.amina);
    expect(JSON.stringify(view)).toContain('2026-03-10');
    expect(w.friend.host.doc(docId).getArray('visits').length).toBe(1);
    await expectBounded(w, docId);
  });

  it('U27 U37 a summary at the top of the serial block is refused and the next registration works', async () => {
    const w = await world();
    const docId = registerDocId(FAC as FacilityCode);
    const before = await storedState(w.victim.store);
    w.evil.host.change(docId, (d) =>
      upsertSummary(d, {
        ctcId: serial(9999),
        givenName: 'Planted',
        familyName: 'Top',
        sex: 'male',
        birthYear: 1980,
        status: 'active',
        registeredAt: stamp.at,
      }),
    );
    await expectRefused(w, docId, 'unissued-id', before);
    const next = await w.victim.service.registerPatient(
      { ...aminaForm, givenName: 'Baraka', familyName: 'Juma', sex: 'male' },
      { acknowledgeDuplicate: true },
    );
    expect(next).toEqual({ ok: true, value: serial(2) });
    await expectBounded(w, docId);
  });

  it('U13 U15 a foreign meta.ctcId with a null name is refused; name corrections still save', async () => {
    const w = await world();
    const docId = patientDocId(w.victim.amina);
    const before = await storedState(w.victim.store);
    w.evil.host.change(docId, (d) => {
      d.getMap('meta').set('ctcId', serial(77));
      d.getMap('demographics').set('givenName', null);
    });
    await expectRefused(w, docId, 'invalid-entry', before);
    const edit = await w.victim.service.editDemographics(w.victim.amina, {
      ...aminaForm,
      givenName: 'Aminah',
    });
    expect(edit.ok).toBe(true);
    await expectBounded(w, docId);
  });

  it('U18 a change of the network settings (LTFU days) is refused', async () => {
    const w = await world();
    const before = await storedState(w.victim.store);
    w.evil.host.change(networkDocId, (d) => {
      d.getMap('settings').set('ltfuDays', 1);
      d.getMap('settings').set('graceDays', 0);
    });
    await expectRefused(w, networkDocId, 'settings', before);
    expect(readFollowUpPolicy(await w.victim.repo.get(networkDocId))).toEqual(
      defaultFollowUpPolicy,
    );
    await expectBounded(w, networkDocId);
  });

  it('U27 U38 a pre-created record of an unissued ID is refused; the next registration is a new patient', async () => {
    const w = await world();
    const planted = serial(2);
    const docId = patientDocId(planted);
    const before = await storedState(w.victim.store);
    w.evil.host.change(docId, (d) => {
      initPatientDoc(d, {
        ctcId: planted,
        primaryFacility: FAC as FacilityCode,
        demographics: {
          givenName: 'Ghost',
          familyName: 'Record',
          sex: 'male',
          birthDate: '1970-01-01' as never,
          birthDateEstimated: false,
        },
        stamp,
        entryId: 'evil-1' as EntryId,
      });
      appendEntry(d, {
        id: 'evil-2' as EntryId,
        kind: 'status',
        stamp,
        data: { status: 'died', date: '2026-03-01' as never },
      });
    });
    await expectRefused(w, docId, 'unissued-id', before);
    const next = await w.victim.service.registerPatient(
      { ...aminaForm, givenName: 'Baraka', familyName: 'Juma', sex: 'male' },
      { acknowledgeDuplicate: true },
    );
    expect(next.ok).toBe(true);
    const view = await w.victim.service.getPatient((next as { value: CtcId }).value);
    expect(JSON.stringify(view)).not.toContain('died');
    expect(JSON.stringify(view)).not.toContain('Ghost');
    await expectBounded(w, docId);
  });

  it('U26 registers of facilities not in the network are neither stored nor forwarded', async () => {
    const w = await world();
    const before = await storedState(w.victim.store);
    const planted: DocId[] = [];
    for (let i = 0; i < 300; i++) {
      const facility = `09${String(i).padStart(6, '0')}` as FacilityCode;
      const docId = registerDocId(facility);
      planted.push(docId);
      w.evil.host.change(docId, (d) => {
        initRegisterDoc(d, facility);
        upsertSummary(d, { ctcId: `${facility}010001` as CtcId, status: 'active' });
      });
    }
    await expectRefused(w, planted[0]!, 'unknown-facility', before);
    for (const docId of planted) expect(w.friend.host.has(docId)).toBe(false);
    const first = refusalsOf(w.victim).length;
    expect(first).toBeGreaterThanOrEqual(300);
    await reconnectEvil(w.net, 2);
    expect(refusalsOf(w.victim).length - first).toBeLessThanOrEqual(2 * 300);
    expect(await storedState(w.victim.store)).toBe(before);
    for (const docId of planted) expect(w.friend.host.has(docId)).toBe(false);
  });

  it('U26 U36 a register of a facility that joins later converges once the network lists it', async () => {
    const w = await world();
    const facility = '01020099' as FacilityCode;
    const docId = registerDocId(facility);
    w.evil.host.change(docId, (d) => initRegisterDoc(d, facility));
    await settle(w.net);
    expect(refusalsOf(w.victim, docId).map((e) => e.details.reason)).toContain('unknown-facility');
    w.evil.host.change(networkDocId, (d) =>
      putFacility(d, { code: facility, name: 'New CTC', district: 'K', region: 'D' }),
    );
    await settle(w.net);
    expect(await w.victim.repo.isStored(docId)).toBe(true);
  });

  it('U30 U31 millions of tiny items are refused before Yjs integrates them; the heap stays small', async () => {
    const w = await world();
    const docId = patientDocId(w.victim.amina);
    const before = await storedState(w.victim.store);
    const items = 2_000_000;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, items);
    encoding.writeVarUint(encoder, 424242);
    encoding.writeVarUint(encoder, 0);
    for (let i = 0; i < items; i++) {
      encoding.writeUint8(encoder, 8); // ContentAny, parent named
      encoding.writeVarUint(encoder, 1); // parent is a root type ...
      encoding.writeVarString(encoder, 'visits'); // ... named visits
      encoding.writeVarUint(encoder, 1); // one value
      encoding.writeAny(encoder, 0);
    }
    encoding.writeVarUint(encoder, 0); // empty delete set
    const flood = encoding.toUint8Array(encoder);
    expect(flood.byteLength).toBeLessThan(32 * 1024 * 1024);
    const heapBefore = process.memoryUsage().heapUsed;
    w.evil.inject(docId, flood);
    await expectRefused(w, docId, 'budget', before);
    const grown = process.memoryUsage().heapUsed - heapBefore;
    expect(grown).toBeLessThan(300 * 1024 * 1024);
    void Y;
  });
});
