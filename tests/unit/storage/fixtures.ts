import * as Y from 'yjs';
import type { DirectoryRow, DocWrite, PatientRow } from '../../../src/crdt/ports';
import { patientDocId, registerDocId, type DocId } from '../../../src/crdt/doc-id';
import type {
  CtcId,
  FacilityCode,
  IsoDate,
  IsoDateTime,
  PatientStatus,
  Sex,
} from '../../../src/domain/types';
import { digitsOnly, searchTokens } from '../../../src/lib/text';

export const facilityA = '12010001' as FacilityCode;
export const facilityB = '12010002' as FacilityCode;

export const ctc = (facility: FacilityCode, serial: number): CtcId =>
  `${facility}${String(serial).padStart(6, '0')}` as CtcId;

export interface PersonInput {
  ctcId: CtcId;
  givenName: string;
  familyName: string;
  sex?: Sex;
  phone?: string;
  status?: PatientStatus;
  nextAppointment?: string;
}

export function patientRow(person: PersonInput): PatientRow {
  const row: PatientRow = {
    ctcId: person.ctcId,
    primaryFacility: person.ctcId.slice(0, 8) as FacilityCode,
    givenName: person.givenName,
    familyName: person.familyName,
    nameTokens: searchTokens(person.givenName, person.familyName),
    sex: person.sex ?? 'female',
    birthDate: '1990-05-01' as IsoDate,
    status: person.status ?? 'active',
    updatedAt: '2025-01-01T08:00:00.000Z' as IsoDateTime,
  };
  if (person.phone) row.phoneDigits = digitsOnly(person.phone);
  if (person.nextAppointment) row.nextAppointment = person.nextAppointment as IsoDate;
  return row;
}

export function directoryRow(person: PersonInput): DirectoryRow {
  return {
    ctcId: person.ctcId,
    facilityCode: person.ctcId.slice(0, 8) as FacilityCode,
    givenName: person.givenName,
    familyName: person.familyName,
    nameTokens: searchTokens(person.givenName, person.familyName),
    sex: person.sex ?? 'female',
    birthYear: 1990,
    status: person.status ?? 'active',
  };
}

/** A patient document with real Yjs content, recording every update it emits. */
export class PatientDocFixture {
  readonly doc = new Y.Doc();
  readonly updates: Uint8Array[] = [];
  readonly docId: DocId;

  constructor(readonly ctcId: CtcId) {
    this.docId = patientDocId(ctcId);
    this.doc.on('update', (update: Uint8Array) => this.updates.push(update));
  }

  setField(key: string, value: string): Uint8Array {
    this.doc.getMap('demographics').set(key, value);
    return this.lastUpdate();
  }

  addVisit(date: string, weightKg: number): Uint8Array {
    this.doc.getArray('visits').push([{ date, weightKg }]);
    return this.lastUpdate();
  }

  write(update: Uint8Array, extra: Partial<DocWrite> = {}): DocWrite {
    return {
      docId: this.docId,
      kind: 'patient',
      update,
      stateVector: Y.encodeStateVector(this.doc),
      ...extra,
    };
  }

  private lastUpdate(): Uint8Array {
    const last = this.updates[this.updates.length - 1];
    if (!last) throw new Error('the edit produced no update');
    return last;
  }
}

/** The state of a document rebuilt from stored updates, as a device would on startup. */
export function rebuild(updates: readonly Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const update of updates) Y.applyUpdate(doc, update);
  return doc;
}

export function registerWrite(facility: FacilityCode, rows: DirectoryRow[]): DocWrite {
  const doc = new Y.Doc();
  const register = doc.getMap('patients');
  for (const row of rows) register.set(row.ctcId, row.familyName);
  return {
    docId: registerDocId(facility),
    kind: 'register',
    update: Y.encodeStateAsUpdate(doc),
    stateVector: Y.encodeStateVector(doc),
    projection: { directoryUpserts: rows },
  };
}

/** What a reader of the patient document sees; a fresh Y.Doc lists only types it has asked for. */
export function content(doc: Y.Doc): unknown {
  return {
    demographics: doc.getMap('demographics').toJSON(),
    visits: doc.getArray('visits').toJSON(),
  };
}
