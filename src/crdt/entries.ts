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
    isRecord(value.data)
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
