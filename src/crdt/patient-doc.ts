/**
 * The patient document (design.md §2): demographics as a map, clinical events as append-only
 * lists of immutable entries. Layout:
 *   meta          Y.Map  schema, kind, ctcId, primaryFacility, registeredAt
 *   demographics  Y.Map  one key per field of `Demographics` (absent when unknown)
 *   visits, results, appointments, statusChanges, demographicsLog,
 *   tracing, alertAcks                                               Y.Array<Entry>
 */
import type * as Y from 'yjs';
import type {
  CtcId,
  Demographics,
  Entry,
  EntryId,
  EntryKind,
  FacilityCode,
  IsoDate,
  IsoDateTime,
  PatientStatus,
  Stamp,
} from '../domain/types';
import { isFutureDated, localDayOf } from '../domain/entry-dates';
import { digitsOnly, searchTokens } from '../lib/text';
import { effectiveEntries, isEntry } from './entries';
import type { PatientRow } from './ports';
import { currentSchemaVersion } from './schema';

const listByKind: Record<EntryKind, string> = {
  visit: 'visits',
  result: 'results',
  appointment: 'appointments',
  status: 'statusChanges',
  demographics: 'demographicsLog',
  tracing: 'tracing',
  alert_ack: 'alertAcks',
};

export const entryKindsInOrder: readonly EntryKind[] = [
  'visit',
  'result',
  'appointment',
  'status',
  'demographics',
  'tracing',
  'alert_ack',
];

const entryList = (doc: Y.Doc, kind: EntryKind): Y.Array<unknown> => doc.getArray(listByKind[kind]);

/** Every append-only list of a patient document. */
export const entryLists = (doc: Y.Doc): Y.Array<unknown>[] =>
  entryKindsInOrder.map((kind) => entryList(doc, kind));

export interface NewPatient {
  ctcId: CtcId;
  primaryFacility: FacilityCode;
  demographics: Demographics;
  stamp: Stamp;
  entryId: EntryId;
}

/** Fill a new, empty document for a registration. The registration itself is the first history entry. */
export function initPatientDoc(doc: Y.Doc, patient: NewPatient): void {
  const meta = doc.getMap('meta');
  meta.set('schema', currentSchemaVersion);
  meta.set('kind', 'patient');
  meta.set('ctcId', patient.ctcId);
  meta.set('primaryFacility', patient.primaryFacility);
  meta.set('registeredAt', patient.stamp.at);
  editDemographics(doc, patient.demographics, patient.stamp, patient.entryId);
}

export function appendEntry(doc: Y.Doc, entry: Entry): void {
  entryList(doc, entry.kind).push([entry]);
}

/**
 * Write the fields that changed (and remove cleared ones), and log the change with its old and
 * new values. Returns null when nothing changed, so no empty edit enters the history.
 */
export function editDemographics(
  doc: Y.Doc,
  next: Demographics,
  stamp: Stamp,
  entryId: EntryId,
): Entry<'demographics'> | null {
  const map = doc.getMap<unknown>('demographics');
  const keys = new Set<string>([...map.keys(), ...Object.keys(next)]);
  const changes: Entry<'demographics'>['data']['changes'] = [];
  for (const key of [...keys].sort()) {
    const before = map.get(key) ?? null;
    const after = (next as unknown as Record<string, unknown>)[key] ?? null;
    if (before === after) continue;
    changes.push({ field: key as keyof Demographics, from: before, to: after });
    // A cleared field is set to null, never deleted: replication compares state vectors, and a
    // delete alone does not advance one (docs/protocol.md), so a peer would never learn of it.
    map.set(key, after);
  }
  if (changes.length === 0) return null;
  const entry: Entry<'demographics'> = {
    id: entryId,
    kind: 'demographics',
    stamp,
    data: { changes },
  };
  appendEntry(doc, entry);
  return entry;
}

export interface PatientSnapshot {
  ctcId?: CtcId;
  primaryFacility?: FacilityCode;
  registeredAt?: IsoDateTime;
  schema?: number;
  /** Absent while only entries recorded elsewhere have arrived, not the registration. */
  demographics?: Demographics;
  entries: { [K in EntryKind]: Entry<K>[] };
  /** Entries that failed the shape check (from a faulty or hostile peer); never shown. */
  rejectedEntries: number;
}

function readDemographics(doc: Y.Doc): Demographics | undefined {
  const map = doc.getMap<unknown>('demographics');
  const value: Record<string, unknown> = {};
  map.forEach((field, key) => {
    if (field !== null && field !== undefined) value[key] = field;
  });
  const complete =
    typeof value.givenName === 'string' &&
    typeof value.familyName === 'string' &&
    (value.sex === 'female' || value.sex === 'male') &&
    typeof value.birthDate === 'string';
  return complete ? (value as unknown as Demographics) : undefined;
}

export function readPatient(doc: Y.Doc): PatientSnapshot {
  const meta = doc.getMap<unknown>('meta');
  let rejectedEntries = 0;
  const read = <K extends EntryKind>(kind: K): Entry<K>[] => {
    const out: Entry<K>[] = [];
    for (const item of entryList(doc, kind).toArray()) {
      if (isEntry(item) && item.kind === kind) out.push(item as Entry<K>);
      else rejectedEntries += 1;
    }
    return out;
  };
  const entries = {
    visit: read('visit'),
    result: read('result'),
    appointment: read('appointment'),
    status: read('status'),
    demographics: read('demographics'),
    tracing: read('tracing'),
    alert_ack: read('alert_ack'),
  };
  const str = (key: string) => {
    const value = meta.get(key);
    return typeof value === 'string' ? value : undefined;
  };
  const schema = meta.get('schema');
  return {
    ctcId: str('ctcId') as CtcId | undefined,
    primaryFacility: str('primaryFacility') as FacilityCode | undefined,
    registeredAt: str('registeredAt') as IsoDateTime | undefined,
    schema: typeof schema === 'number' ? schema : undefined,
    demographics: readDemographics(doc),
    entries,
    rejectedEntries,
  };
}

/**
 * The snapshot follow-up reads (W3): every future-dated entry left out, so one entry dated
 * 9999-12-31 by a phone with a wrong clock cannot decide a patient's last visit, appointment or
 * status. The entries stay in the document and on the timeline, flagged.
 */
export function countedSnapshot(snapshot: PatientSnapshot, today: IsoDate): PatientSnapshot {
  const keep = <K extends EntryKind>(list: Entry<K>[]): Entry<K>[] =>
    list.filter((entry) => !isFutureDated(entry, today));
  return {
    ...snapshot,
    entries: {
      visit: keep(snapshot.entries.visit),
      result: keep(snapshot.entries.result),
      appointment: keep(snapshot.entries.appointment),
      status: keep(snapshot.entries.status),
      demographics: snapshot.entries.demographics,
      tracing: keep(snapshot.entries.tracing),
      alert_ack: keep(snapshot.entries.alert_ack),
    },
  };
}

/** The status change in force: latest clinical date wins, then latest written. */
export function currentStatus(snapshot: PatientSnapshot): Entry<'status'> | undefined {
  return effectiveEntries(snapshot.entries.status)
    .slice()
    .sort((a, b) =>
      a.data.date !== b.data.date
        ? a.data.date < b.data.date
          ? -1
          : 1
        : a.stamp.at < b.stamp.at
          ? -1
          : a.stamp.at > b.stamp.at
            ? 1
            : 0,
    )
    .at(-1);
}

export function lastVisit(snapshot: PatientSnapshot): Entry<'visit'> | undefined {
  let latest: Entry<'visit'> | undefined;
  for (const visit of effectiveEntries(snapshot.entries.visit)) {
    if (!latest || visit.data.date > latest.data.date) latest = visit;
  }
  return latest;
}

export interface ScheduledAppointment {
  date: IsoDate;
  /** When it was set: the visit date, or the day the appointment entry was written. */
  scheduledOn: IsoDate;
  /** The first visit after it was set, if any: that visit kept (or closed) it. */
  visitAfterSchedule?: IsoDate;
  source: EntryId;
}

/**
 * The appointment most recently set, by a visit's "next appointment" or a scheduling entry.
 * A corrected visit replaces its appointment, so editing a visit never leaves a duplicate.
 */
export function latestAppointment(snapshot: PatientSnapshot): ScheduledAppointment | undefined {
  const visits = effectiveEntries(snapshot.entries.visit);
  const candidates: ScheduledAppointment[] = [];
  for (const visit of visits) {
    if (visit.data.nextAppointment) {
      candidates.push({
        date: visit.data.nextAppointment,
        scheduledOn: visit.data.date,
        source: visit.id,
      });
    }
  }
  for (const appointment of effectiveEntries(snapshot.entries.appointment)) {
    candidates.push({
      date: appointment.data.date,
      // The clinic's calendar day, as care/record.ts `appointmentsOf` reads it: an entry
      // written at 01:00 in Dar es Salaam is that day's, not the UTC day before.
      scheduledOn:
        localDayOf(appointment.stamp.at) ?? (appointment.stamp.at.slice(0, 10) as IsoDate),
      source: appointment.id,
    });
  }
  candidates.sort((a, b) =>
    a.scheduledOn !== b.scheduledOn
      ? a.scheduledOn < b.scheduledOn
        ? -1
        : 1
      : a.date < b.date
        ? -1
        : a.date > b.date
          ? 1
          : 0,
  );
  const latest = candidates.at(-1);
  if (!latest) return undefined;
  const after = visits
    .map((visit) => visit.data.date)
    .filter((date) => date > latest.scheduledOn)
    .sort()[0];
  return after ? { ...latest, visitAfterSchedule: after } : latest;
}

/**
 * What a register summary's last visit should say, derived from the record (W5): the latest
 * effective, counted visit, and the dates of every visit the record holds (superseded or not),
 * which tell the register whether this record knows the visit it names now.
 */
export interface DerivedLastVisit {
  date?: IsoDate;
  facility?: FacilityCode;
  heldVisitDates: ReadonlySet<string>;
  today: IsoDate;
}

export function deriveLastVisit(snapshot: PatientSnapshot, today: IsoDate): DerivedLastVisit {
  const visit = lastVisit(countedSnapshot(snapshot, today));
  const derived: DerivedLastVisit = {
    heldVisitDates: new Set(snapshot.entries.visit.map((v) => v.data.date)),
    today,
  };
  if (visit) {
    derived.date = visit.data.date;
    derived.facility = visit.data.facilityCode;
  }
  return derived;
}

/**
 * The row the worklists and search read; undefined until the registration has arrived.
 *
 * W4: "today" for a stored row is the day it is projected (`updatedAt`, on this device's
 * calendar). An entry future-dated then is left out of the row until the record next changes,
 * even if its day has come by then: a row never counts a future entry, at the price of counting
 * a slightly-ahead entry late. (A patient's page decides at read time.)
 */
export function projectPatientRow(
  snapshot: PatientSnapshot,
  updatedAt: IsoDateTime,
): PatientRow | undefined {
  const d = snapshot.demographics;
  if (!d || !snapshot.ctcId || !snapshot.primaryFacility) return undefined;
  const today = localDayOf(updatedAt);
  const counted = today ? countedSnapshot(snapshot, today) : snapshot;
  const status: PatientStatus = currentStatus(counted)?.data.status ?? 'active';
  const visit = lastVisit(counted);
  const appointment = latestAppointment(counted);
  const row: PatientRow = {
    ctcId: snapshot.ctcId,
    primaryFacility: snapshot.primaryFacility,
    givenName: d.givenName,
    familyName: d.familyName,
    nameTokens: searchTokens(d.givenName, d.familyName),
    sex: d.sex,
    birthDate: d.birthDate,
    status,
    updatedAt,
  };
  if (d.phone) row.phoneDigits = digitsOnly(d.phone);
  if (visit) {
    row.lastVisitDate = visit.data.date;
    row.lastVisitFacility = visit.data.facilityCode;
  }
  // Only an appointment nobody has come back for yet belongs on a worklist.
  if (appointment && !appointment.visitAfterSchedule) row.nextAppointment = appointment.date;
  return row;
}
