import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { EntryId, IsoDateTime } from '../../../src/domain/types';
import {
  appendEntry,
  editDemographics,
  initPatientDoc,
  latestAppointment,
  projectPatientRow,
  readPatient,
} from '../../../src/crdt/patient-doc';
import { effectiveEntries } from '../../../src/crdt/entries';
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
