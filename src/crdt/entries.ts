/**
 * Append-only entries and supersession. An entry is never edited or removed; a correction is a
 * new entry naming the one it replaces. "Effective" entries are those nothing supersedes.
 */
import type { Entry, EntryId, EntryKind, Stamp } from '../domain/types';

const entryKinds: ReadonlySet<string> = new Set<EntryKind>([
  'visit',
  'result',
  'appointment',
  'status',
  'demographics',
  'tracing',
  'alert_ack',
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isStamp(value: unknown): value is Stamp {
  return (
    isRecord(value) &&
    typeof value.userId === 'string' &&
    typeof value.userName === 'string' &&
    typeof value.role === 'string' &&
    typeof value.deviceId === 'string' &&
    typeof value.facilityCode === 'string' &&
    typeof value.at === 'string'
  );
}

const isoDate = (value: unknown): boolean =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
const optional = (value: unknown, check: (v: unknown) => boolean): boolean =>
  value === undefined || check(value);
const isString = (value: unknown): boolean => typeof value === 'string';
const isNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
const stringList = (value: unknown): boolean =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * The fields every reader relies on, per kind. Values are validated when written (domain
 * schemas); this only guarantees that a faulty or hostile peer cannot make a screen or an index
 * read a list that is not a list or a date that is not a date.
 */
const dataShapes: Record<EntryKind, (data: Record<string, unknown>) => boolean> = {
  visit: (d) =>
    isoDate(d.date) &&
    isString(d.facilityCode) &&
    isString(d.visitType) &&
    isString(d.tbScreen) &&
    isString(d.arvStatus) &&
    stringList(d.symptoms) &&
    stringList(d.otherMedicines) &&
    stringList(d.investigationsOrdered) &&
    optional(d.nextAppointment, isoDate) &&
    optional(d.weightKg, isNumber) &&
    optional(d.heightCm, isNumber) &&
    optional(d.bpSystolic, isNumber) &&
    optional(d.bpDiastolic, isNumber) &&
    optional(d.daysSupplied, isNumber) &&
    optional(d.quantity, isNumber) &&
    optional(d.pillsMissed, isNumber),
  result: (d) =>
    isString(d.investigation) &&
    isoDate(d.sampleDate) &&
    isoDate(d.resultDate) &&
    isString(d.facilityCode) &&
    isRecord(d.value) &&
    ((d.value.kind === 'numeric' && isNumber(d.value.value) && isString(d.value.unit)) ||
      (d.value.kind === 'categorical' && isString(d.value.value))),
  appointment: (d) => isoDate(d.date) && isString(d.purpose),
  status: (d) =>
    isoDate(d.date) &&
    ['active', 'transferred_out', 'died', 'stopped'].includes(d.status as string) &&
    optional(d.toFacility, isString),
  demographics: (d) =>
    Array.isArray(d.changes) &&
    d.changes.every((change) => isRecord(change) && typeof change.field === 'string'),
  tracing: (d) =>
    isoDate(d.date) &&
    isString(d.facilityCode) &&
    isString(d.method) &&
    typeof d.reached === 'boolean' &&
    optional(d.outcome, isString),
  alert_ack: (d) =>
    isoDate(d.date) &&
    isString(d.ruleId) &&
    isString(d.alertKey) &&
    isString(d.action) &&
    isString(d.reason),
};

/**
 * Entries arrive from peers, so their shape is checked before anything reads them; an entry that
 * fails is left out of views (it stays in the document, untouched).
 */
export function isEntry(value: unknown): value is Entry {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    value.id.length > 0 &&
    value.id.length <= 64 &&
    typeof value.kind === 'string' &&
    entryKinds.has(value.kind) &&
    isStamp(value.stamp) &&
    (value.supersedes === undefined || typeof value.supersedes === 'string') &&
    isRecord(value.data) &&
    dataShapes[value.kind as EntryKind](value.data)
  );
}

export interface EntryWithSupersession<K extends EntryKind = EntryKind> {
  entry: Entry<K>;
  supersededBy: EntryId[];
}

/** Every entry with the ids of entries that supersede it, in the order given. */
export function withSupersession<K extends EntryKind>(
  entries: readonly Entry<K>[],
): EntryWithSupersession<K>[] {
  const supersededBy = new Map<EntryId, EntryId[]>();
  for (const entry of entries) {
    if (entry.supersedes === undefined) continue;
    const list = supersededBy.get(entry.supersedes) ?? [];
    list.push(entry.id);
    supersededBy.set(entry.supersedes, list);
  }
  return entries.map((entry) => ({ entry, supersededBy: supersededBy.get(entry.id) ?? [] }));
}

/**
 * Entries not superseded by any other. When two devices correct the same entry concurrently both
 * corrections stay effective: neither is silently dropped, and the clinician sees both.
 */
export function effectiveEntries<K extends EntryKind>(entries: readonly Entry<K>[]): Entry<K>[] {
  return withSupersession(entries)
    .filter((item) => item.supersededBy.length === 0)
    .map((item) => item.entry);
}

/** Newest stamp first; ties broken by id so every replica orders the same way. */
export function byStampDesc(a: Entry, b: Entry): number {
  if (a.stamp.at !== b.stamp.at) return a.stamp.at < b.stamp.at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

// ---- Entry rules at receive time (docs/protocol.md §15, U20–U24) ----

const roles: ReadonlySet<string> = new Set([
  'clinician',
  'pharmacist',
  'lab',
  'data_clerk',
  'supervisor',
]);
const printableId = /^[\x21-\x7e]{1,64}$/;
const facilityCode = /^\d{8}$/;
/** Entries are small: a visit is well under 2 KiB; anything near this is not an entry. */
export const maxEntryBytes = 16 * 1024;

/** A real calendar date from 1900 on. Far-future dates pass: they are kept and flagged (U22). */
export function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/** An ISO date-time as `Date#toISOString` writes it, on a real calendar date. */
export function isIsoDateTime(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(value) &&
    isCalendarDate(value.slice(0, 10)) &&
    Number.isFinite(Date.parse(value))
  );
}

const inRange = (value: unknown, min: number, max: number): boolean =>
  value === undefined || (typeof value === 'number' && value >= min && value <= max);

/** Numeric bounds a person can have, far wider than the form's (the form is the strict one). */
const visitNumbers: ReadonlyArray<[string, number, number]> = [
  ['weightKg', 0, 500],
  ['heightCm', 0, 300],
  ['bpSystolic', 0, 400],
  ['bpDiastolic', 0, 300],
  ['daysSupplied', 0, 1000],
  ['quantity', 0, 100_000],
  ['pillsMissed', 0, 10_000],
];

function dataDatesProblem(kind: EntryKind, data: Record<string, unknown>): string | undefined {
  const dates: unknown[] =
    kind === 'visit'
      ? [data.date, data.nextAppointment]
      : kind === 'result'
        ? [data.sampleDate, data.resultDate]
        : kind === 'demographics'
          ? []
          : [data.date];
  for (const date of dates) {
    if (date !== undefined && !isCalendarDate(date))
      return `not a calendar date: ${JSON.stringify(date)}`;
  }
  if (kind === 'visit') {
    for (const [field, min, max] of visitNumbers) {
      if (!inRange(data[field], min, max)) return `${field} out of range`;
    }
  }
  if (
    (kind === 'visit' || kind === 'result' || kind === 'tracing') &&
    !facilityCode.test(String(data.facilityCode))
  ) {
    return 'facility code is not 8 digits';
  }
  return undefined;
}

/**
 * Why an entry from a peer is refused at receive time, or undefined when it passes: the shape
 * readers rely on (`isEntry`), the kind its list holds, a printable id, a stamp with a real
 * time, role and facility, real calendar dates and sane numbers. Future dates pass (U22).
 */
export function entryProblem(value: unknown, expectedKind: EntryKind): string | undefined {
  if (!isEntry(value)) return 'not an entry';
  if (value.kind !== expectedKind) return `a ${value.kind} entry in the ${expectedKind} list`;
  if (!printableId.test(value.id)) return 'entry id is not printable';
  if (value.supersedes !== undefined && !printableId.test(value.supersedes)) {
    return 'superseded id is not printable';
  }
  const stamp = value.stamp;
  if (!isIsoDateTime(stamp.at)) return `stamp time is not a real time: ${stamp.at}`;
  if (!roles.has(stamp.role)) return `unknown role ${stamp.role}`;
  if (!facilityCode.test(stamp.facilityCode)) return 'stamp facility is not 8 digits';
  if (!printableId.test(stamp.deviceId) || stamp.userId.length > 64) return 'stamp ids too long';
  if (stamp.userName.length > 200) return 'user name too long';
  if (JSON.stringify(value).length > maxEntryBytes) return 'entry too large';
  return dataDatesProblem(value.kind, value.data as unknown as Record<string, unknown>);
}
