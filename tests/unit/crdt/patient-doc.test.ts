import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { EntryId, IsoDateTime } from '../../../src/domain/types';

import {
  appendEntry,
  countedSnapshot,
  deriveLastVisit,
  editDemographics,
  initPatientDoc,
  latestAppointment,
  projectPatientRow,
  readPatient,
} from '../../../src/crdt/patient-doc';
import { effectiveEntries } from '../../../src/crdt/entries';
import {
  directoryRows,
  initRegisterDoc,
  setLastVisit,
  upsertSummary,
} from '../../../src/crdt/register-doc';
import type { IsoDate, Entry } from '../../../src/domain/types';
import { currentSchemaVersion } from '../../../src/crdt/schema';
import { amina, ctcA1, facilityA, stampAt, visitEntry } from './fixtures';

function registered(): Y.Doc {
  const doc = new Y.Doc();
  initPatientDoc(doc, {
    ctcId: ctcA1,
    primaryFacility: facilityA,
    demographics: amina,
    stamp: stampAt('2026-01-05T08:00:00.000Z'),
    entryId: 'reg-1' as EntryId,
  });
  return doc;
}

const sync = (a: Y.Doc, b: Y.Doc) => {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
};

describe('patient document', () => {
  it('stores demographics as a map, stamps the schema version and logs the registration', () => {
    const snapshot = readPatient(registered());
    expect(snapshot.schema).toBe(currentSchemaVersion);
    expect(snapshot.ctcId).toBe(ctcA1);
    expect(snapshot.demographics).toEqual(amina);
    expect(snapshot.entries.demographics).toHaveLength(1);
    expect(snapshot.entries.demographics[0]?.data.changes.map((c) => c.field)).toContain(
      'givenName',
    );
  });

  it('keeps a corrected visit and its correction, and only the correction is effective', () => {
    const doc = registered();
    appendEntry(doc, visitEntry('v1', '2026-02-01', { weightKg: 60 }));
    appendEntry(doc, visitEntry('v2', '2026-02-01', { weightKg: 61 }, 'v1'));
    const visits = readPatient(doc).entries.visit;
    expect(visits.map((v) => v.id)).toEqual(['v1', 'v2']);
    expect(effectiveEntries(visits).map((v) => v.data.weightKg)).toEqual([61]);
  });

  it('keeps both concurrent corrections of one entry visible instead of dropping one', () => {
    const a = registered();
    const b = new Y.Doc();
    sync(a, b);
    appendEntry(a, visitEntry('v1', '2026-02-01'));
    sync(a, b);
    appendEntry(a, visitEntry('fix-a', '2026-02-01', { weightKg: 50 }, 'v1'));
    appendEntry(b, visitEntry('fix-b', '2026-02-01', { weightKg: 52 }, 'v1'));
    sync(a, b);
    for (const doc of [a, b]) {
      const effective = effectiveEntries(readPatient(doc).entries.visit)
        .map((v) => v.id)
        .sort();
      expect(effective).toEqual(['fix-a', 'fix-b']);
    }
  });

  it('merges concurrent edits of different demographic fields from two devices', () => {
    const a = registered();
    const b = new Y.Doc();
    sync(a, b);
    editDemographics(
      a,
      { ...amina, phone: '0755 000 111' },
      stampAt('2026-03-01T10:00:00.000Z'),
      'e-a' as EntryId,
    );
    editDemographics(
      b,
      { ...amina, ward: 'Mbezi' },
      stampAt('2026-03-01T10:00:01.000Z'),
      'e-b' as EntryId,
    );
    sync(a, b);
    expect(readPatient(a).demographics).toEqual({ ...amina, phone: '0755 000 111', ward: 'Mbezi' });
    expect(readPatient(b).demographics).toEqual(readPatient(a).demographics);
    expect(readPatient(a).entries.demographics).toHaveLength(3);
  });

  it('records no history entry for an edit that changes nothing, and logs removed fields', () => {
    const doc = registered();
    expect(
      editDemographics(doc, amina, stampAt('2026-03-01T10:00:00.000Z'), 'e1' as EntryId),
    ).toBeNull();
    const withoutPhone = { ...amina };
    delete withoutPhone.phone;
    const edit = editDemographics(
      doc,
      withoutPhone,
      stampAt('2026-03-02T10:00:00.000Z'),
      'e2' as EntryId,
    );
    expect(edit?.data.changes).toEqual([{ field: 'phone', from: amina.phone, to: null }]);
    expect(readPatient(doc).demographics?.phone).toBeUndefined();
  });

  it('a corrected visit moves its appointment instead of adding a second one', () => {
    const doc = registered();
    appendEntry(doc, visitEntry('v1', '2026-02-01', { nextAppointment: '2026-03-01' as never }));
    appendEntry(
      doc,
      visitEntry('v2', '2026-02-01', { nextAppointment: '2026-03-03' as never }, 'v1'),
    );
    const appointment = latestAppointment(readPatient(doc));
    expect(appointment?.date).toBe('2026-03-03');
    const row = projectPatientRow(readPatient(doc), '2026-02-01T10:00:00.000Z' as IsoDateTime);
    expect(row?.nextAppointment).toBe('2026-03-03');
  });

  it('an appointment is closed by the next visit, wherever it happened', () => {
    const doc = registered();
    appendEntry(doc, visitEntry('v1', '2026-02-01', { nextAppointment: '2026-03-01' as never }));
    appendEntry(
      doc,
      visitEntry('v2', '2026-02-27', { regimen: undefined, daysSupplied: undefined }),
    );
    const snapshot = readPatient(doc);
    expect(latestAppointment(snapshot)?.visitAfterSchedule).toBe('2026-02-27');
    expect(
      projectPatientRow(snapshot, '2026-02-27T10:00:00.000Z' as IsoDateTime)?.nextAppointment,
    ).toBeUndefined();
  });

  it('ignores malformed entries from a faulty peer and counts them', () => {
    const doc = registered();
    doc
      .getArray('visits')
      .push([{ id: 'x', kind: 'visit' }, 'garbage', visitEntry('v1', '2026-02-01')]);
    const good = visitEntry('v2', '2026-02-02');
    doc.getArray('visits').push([
      { ...good, id: 'bad-symptoms', data: { ...good.data, symptoms: 'cough' } },
      { ...good, id: 'bad-date', data: { ...good.data, date: 'yesterday' } },
      { ...good, id: 'bad-weight', data: { ...good.data, weightKg: '60' } },
    ]);
    doc
      .getArray('results')
      .push([{ ...good, id: 'bad-result', kind: 'result', data: { investigation: 'viral_load' } }]);
    const snapshot = readPatient(doc);
    expect(snapshot.entries.visit.map((v) => v.id)).toEqual(['v1']);
    expect(snapshot.entries.result).toEqual([]);
    expect(snapshot.rejectedEntries).toBe(6);
  });

  it('accepts a visit recorded before the registration arrived and merges it when it does', () => {
    const early = new Y.Doc();
    appendEntry(early, visitEntry('remote-visit', '2026-02-10'));
    expect(readPatient(early).demographics).toBeUndefined();
    expect(
      projectPatientRow(readPatient(early), '2026-02-10T00:00:00.000Z' as IsoDateTime),
    ).toBeUndefined();
    const home = registered();
    sync(home, early);
    for (const doc of [home, early]) {
      const snapshot = readPatient(doc);
      expect(snapshot.demographics?.givenName).toBe('Amina');
      expect(snapshot.entries.visit.map((v) => v.id)).toEqual(['remote-visit']);
    }
  });

  it('projects a search row with folded name tokens and phone digits', () => {
    const row = projectPatientRow(
      readPatient(registered()),
      '2026-01-05T08:00:00.000Z' as IsoDateTime,
    );
    expect(row).toMatchObject({
      ctcId: ctcA1,
      nameTokens: ['amina', 'mwakyusa'],
      phoneDigits: '255712345678',
      status: 'active',
    });
  });

  it('clearing a field advances the state vector, so a reconnecting peer learns of it', () => {
    const doc = registered();
    const before = Y.encodeStateVector(doc);
    const withoutPhone = { ...amina };
    delete withoutPhone.phone;
    editDemographics(doc, withoutPhone, stampAt('2026-03-02T10:00:00.000Z'), 'e3' as EntryId);
    expect(Y.encodeStateVector(doc)).not.toEqual(before);
    const peer = new Y.Doc();
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc));
    expect(readPatient(peer).demographics?.phone).toBeUndefined();
  });

  it('keeps Yjs garbage collection on', () => {
    expect(registered().gc).toBe(true);
  });
});

describe('clocks: future-dated entries and derived last visits (§20)', () => {
  const at = (day: string) => `${day}T10:00:00.000Z` as IsoDateTime;
  /** An entry from a phone whose clock says `clockDay`. */
  const fromClock = (entry: Entry<'visit'>, clockDay: string): Entry<'visit'> => ({
    ...entry,
    stamp: stampAt(`${clockDay}T09:00:00.000Z`),
  });

  it('W3: one visit dated 9999-12-31 does not freeze last visit, appointment or status', () => {
    const doc = registered();
    appendEntry(doc, visitEntry('v1', '2026-02-01', { nextAppointment: '2026-03-01' as never }));
    // A phone whose clock says 9999 records a visit "today" with no next appointment.
    appendEntry(doc, fromClock(visitEntry('v-bad', '9999-12-31'), '9999-12-31'));
    appendEntry(doc, {
      id: 'st-bad' as EntryId,
      kind: 'status',
      stamp: stampAt('2026-02-02T09:00:00.000Z'),
      data: { status: 'died', date: '9999-12-31' as IsoDate },
    });
    const row = projectPatientRow(readPatient(doc), at('2026-03-20'));
    expect(row).toMatchObject({
      lastVisitDate: '2026-02-01',
      nextAppointment: '2026-03-01',
      status: 'active',
    });
    // The entries are kept in the record.
    expect(readPatient(doc).entries.visit.map((v) => v.id)).toEqual(['v1', 'v-bad']);
  });

  it('W2: a visit dated after its own stamp + 1 day never counts, whatever today is', () => {
    const doc = registered();
    appendEntry(doc, visitEntry('v1', '2026-02-01'));
    appendEntry(doc, fromClock(visitEntry('v-ahead', '2026-02-10'), '2026-02-05'));
    expect(projectPatientRow(readPatient(doc), at('2026-06-01'))?.lastVisitDate).toBe('2026-02-01');
  });

  it('W1: today + 1 day is tolerated (time zones), today + 2 is the future', () => {
    const doc = registered();
    appendEntry(doc, fromClock(visitEntry('v-tomorrow', '2026-03-11'), '2026-03-11'));
    expect(projectPatientRow(readPatient(doc), at('2026-03-10'))?.lastVisitDate).toBe('2026-03-11');
    appendEntry(doc, fromClock(visitEntry('v-later', '2026-03-12'), '2026-03-12'));
    expect(
      countedSnapshot(readPatient(doc), '2026-03-10' as IsoDate).entries.visit.map((v) => v.id),
    ).toEqual(['v-tomorrow']);
  });

  it('W3: an appointment set by a wrong clock does not replace the one in force', () => {
    const doc = registered();
    appendEntry(doc, visitEntry('v1', '2026-02-01', { nextAppointment: '2026-03-01' as never }));
    appendEntry(doc, {
      id: 'ap-bad' as EntryId,
      kind: 'appointment',
      stamp: stampAt('9999-12-30T09:00:00.000Z'),
      data: { date: '9999-12-31' as IsoDate, purpose: 'clinic' } as never,
    });
    expect(projectPatientRow(readPatient(doc), at('2026-03-20'))?.nextAppointment).toBe(
      '2026-03-01',
    );
  });

  function registerWith(lastVisitDate: string) {
    const register = new Y.Doc();
    initRegisterDoc(register, facilityA);
    upsertSummary(register, {
      ctcId: ctcA1,
      givenName: 'Amina',
      familyName: 'Mwakyusa',
      sex: 'female',
      birthYear: 1990,
      status: 'active',
      registeredAt: at('2026-01-05'),
      lastVisitDate: lastVisitDate as IsoDate,
      lastVisitFacility: facilityA,
    });
    return register;
  }
  const lastVisitIn = (register: Y.Doc) => directoryRows(register, facilityA)[0]?.lastVisitDate;

  it('W5: a visit corrected to an earlier date moves the register summary back', () => {
    const doc = registered();
    appendEntry(doc, visitEntry('v1', '2026-01-20'));
    appendEntry(doc, visitEntry('v2', '2026-03-10'));
    const register = registerWith('2026-03-10');
    appendEntry(doc, visitEntry('v2-fix', '2026-03-01', {}, 'v2'));
    setLastVisit(register, ctcA1, deriveLastVisit(readPatient(doc), '2026-03-10' as IsoDate));
    expect(lastVisitIn(register)).toBe('2026-03-01');
  });

  it('W5: a device holding an older copy of the record does not undo a later visit', () => {
    const stale = registered();
    appendEntry(stale, visitEntry('v1', '2026-01-20'));
    // Another facility recorded a visit on 2026-03-10 that this copy has not received.
    const register = registerWith('2026-03-10');
    setLastVisit(register, ctcA1, deriveLastVisit(readPatient(stale), '2026-03-12' as IsoDate));
    expect(lastVisitIn(register)).toBe('2026-03-10');
  });

  it('W5: a future last visit in the register is replaced by the counted one', () => {
    const doc = registered();
    appendEntry(doc, visitEntry('v1', '2026-02-01'));
    const register = registerWith('9999-12-31');
    setLastVisit(register, ctcA1, deriveLastVisit(readPatient(doc), '2026-03-10' as IsoDate));
    expect(lastVisitIn(register)).toBe('2026-02-01');
  });
});
