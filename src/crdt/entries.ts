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
