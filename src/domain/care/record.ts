/**
 * A patient's record as the care rules read it: the registration, and every entry of every
 * kind with corrections applied and in time order. Built from plain entries (the crdt layer's
 * snapshot flattens into `entries`), so this folder never sees Yjs or storage.
 */
import { localDayOf } from '../entry-dates';
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
} from '../types';

/** What the care rules and reports need from one patient document. */
export interface CareRecord {
  ctcId: CtcId;
  /** The registering facility: every report indicator counts the patient there. */
  primaryFacility: FacilityCode;
  /** When the registration was written (its local day is the enrolment date). */
  registeredAt: IsoDateTime;
  demographics: Demographics;
  /** Every entry of the record, superseded ones included, in any order. */
  entries: readonly Entry[];
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Entries nothing supersedes. Two concurrent corrections of one entry both stay (the clinician
 * sees both); the same rule as src/crdt/entries.ts `effectiveEntries`, restated here because
 * the domain may not import the crdt layer.
 */
export function effective<K extends EntryKind>(entries: readonly Entry[], kind: K): Entry<K>[] {
  const superseded = new Set<EntryId>();
  for (const entry of entries) if (entry.supersedes !== undefined) superseded.add(entry.supersedes);
  return entries.filter(
    (entry): entry is Entry<K> => entry.kind === kind && !superseded.has(entry.id),
  );
}

/** Oldest first by a clinical date; same day: by when written, then by id (same on every replica). */
function inTimeOrder<K extends EntryKind>(list: Entry<K>[], dateOf: (e: Entry<K>) => string) {
  return list.sort(
    (a, b) => byText(dateOf(a), dateOf(b)) || byText(a.stamp.at, b.stamp.at) || byText(a.id, b.id),
  );
}

export interface VlResult {
  sampleDate: IsoDate;
  resultDate: IsoDate;
  copies: number;
  facilityCode: FacilityCode;
  id: EntryId;
}

/** The facts of one record, corrected and ordered; computed once, read by every rule. */
export interface CareFacts {
  record: CareRecord;
  enrolledOn: IsoDate | undefined;
  visits: Entry<'visit'>[];
  /** Viral loads in copies/mL, by sample date (the day the virus was measured). */
  viralLoads: VlResult[];
  results: Entry<'result'>[];
  appointments: Entry<'appointment'>[];
  statuses: Entry<'status'>[];
  tracing: Entry<'tracing'>[];
  alertAcks: Entry<'alert_ack'>[];
  /** The ART start: the registration's date, else the first visit recorded as "start". */
  artStart: { date: IsoDate; facilityCode: FacilityCode } | undefined;
}

export function careFacts(record: CareRecord): CareFacts {
  const all = record.entries;
  const visits = inTimeOrder(effective(all, 'visit'), (e) => e.data.date);
  const results = inTimeOrder(effective(all, 'result'), (e) => e.data.sampleDate);
  const viralLoads: VlResult[] = [];
  for (const r of results) {
    // A viral load is numeric in copies/mL (vocab/investigations.ts); any other shape is from a
    // faulty peer and is not read as a number.
    if (r.data.investigation !== 'viral_load' || r.data.value.kind !== 'numeric') continue;
    if (r.data.value.unit !== 'copies/mL') continue;
    viralLoads.push({
      sampleDate: r.data.sampleDate,
      resultDate: r.data.resultDate,
      copies: r.data.value.value,
      facilityCode: r.data.facilityCode,
      id: r.id,
    });
  }
  const startVisit = visits.find((v) => v.data.arvStatus === 'start');
  const registered = record.demographics.artStartDate;
  const artStart =
    registered !== undefined
      ? {
          date: registered,
          facilityCode:
            startVisit?.data.date === registered
              ? startVisit.data.facilityCode
              : record.primaryFacility,
        }
      : startVisit
        ? { date: startVisit.data.date, facilityCode: startVisit.data.facilityCode }
        : undefined;
  return {
    record,
    enrolledOn: localDayOf(record.registeredAt),
    visits,
    viralLoads,
    results,
    appointments: inTimeOrder(effective(all, 'appointment'), (e) => e.stamp.at),
    statuses: inTimeOrder(effective(all, 'status'), (e) => e.data.date),
    tracing: inTimeOrder(effective(all, 'tracing'), (e) => e.data.date),
    alertAcks: inTimeOrder(effective(all, 'alert_ack'), (e) => e.data.date),
    artStart,
  };
}

/** The status in force on `day`: the latest change dated on or before it (active if none). */
export function statusOn(facts: CareFacts, day: IsoDate): PatientStatus {
  let status: PatientStatus = 'active';
  for (const change of facts.statuses) if (change.data.date <= day) status = change.data.status;
  return status;
}

export interface ScheduledVisit {
  date: IsoDate;
  scheduledOn: IsoDate;
  /** The first visit (any facility) after the day it was set and on or before `asOf`. */
  visitAfter?: IsoDate;
}

/**
 * Every appointment the record sets, in the order they were set, each with the first visit
 * after it: a visit's "next appointment" (set on the visit's day) and scheduling entries (set
 * the day they were written). Only visits on or before `asOf` count, so a report for a past
 * month sees the record as it stood then.
 */
export function appointmentsOf(facts: CareFacts, asOf: IsoDate): ScheduledVisit[] {
  const set: Array<{ date: IsoDate; scheduledOn: IsoDate }> = [];
  for (const visit of facts.visits) {
    if (visit.data.nextAppointment && visit.data.date <= asOf) {
      set.push({ date: visit.data.nextAppointment, scheduledOn: visit.data.date });
    }
  }
  for (const a of facts.appointments) {
    const on = localDayOf(a.stamp.at);
    if (on !== undefined && on <= asOf) set.push({ date: a.data.date, scheduledOn: on });
  }
  set.sort((a, b) => byText(a.scheduledOn, b.scheduledOn) || byText(a.date, b.date));
  const visitDays = facts.visits.map((v) => v.data.date).filter((d) => d <= asOf);
  return set.map((s) => {
    const after = visitDays.find((d) => d > s.scheduledOn);
    return after === undefined ? s : { ...s, visitAfter: after };
  });
}

/**
 * The appointment in force on `asOf`: the one most recently set. Earlier ones were replaced
 * when a later one was set (a corrected visit replaces its own, so no duplicate is left).
 */
export function liveAppointment(facts: CareFacts, asOf: IsoDate): ScheduledVisit | undefined {
  return appointmentsOf(facts, asOf).at(-1);
}

/** Age in whole years on `day`. */
export function ageOn(birthDate: IsoDate, day: IsoDate): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** `months` calendar months later, clamped to the month's last day (31 Aug + 6 → 28/29 Feb). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${year}-${pad(month)}-${pad(Math.min(d, last))}` as IsoDate;
}
