/**
 * What the search wrapper (search-queries.ts) holds besides the indexes: the changes to the
 * searchable rows as they come, and the rows read while the indexes build.
 */
import type { DirectoryRow, PatientRow } from '../crdt/ports';
import type { CtcId } from '../domain/types';
import type { SearchIndex } from './search-index';

export interface SearchRows {
  patients: PatientRow[];
  directory: DirectoryRow[];
}

export interface Indexes {
  patients: SearchIndex<PatientRow>;
  directory: SearchIndex<DirectoryRow>;
}

/** One change to the searchable rows, as it is applied to an index or kept while one builds. */
export type RowChange =
  | { table: 'patients'; row: PatientRow }
  | { table: 'directory'; row: DirectoryRow }
  | { table: 'patients'; removed: CtcId };

/**
 * The rows as read, and the changes since, while the indexes build: searches meanwhile scan
 * them (the reference semantics, search.ts, by search-scan.ts), so the first search never waits
 * for a build.
 */
export class Building {
  readonly changes: RowChange[] = [];
  constructor(readonly rows: SearchRows) {}

  current<K extends 'patients' | 'directory'>(table: K): Iterable<SearchRows[K][number]> {
    const changed = new Map<string, PatientRow | DirectoryRow | undefined>();
    for (const change of this.changes) {
      if (change.table !== table) continue;
      if ('removed' in change) changed.set(change.removed, undefined);
      else changed.set(change.row.ctcId, change.row);
    }
    const read: Array<SearchRows[K][number]> = this.rows[table];
    if (changed.size === 0) return read;
    const kept = read.filter((row) => !changed.has(row.ctcId));
    for (const row of changed.values()) if (row) kept.push(row);
    return kept;
  }
}

export function applyChange(built: Indexes, change: RowChange): void {
  if ('removed' in change) built.patients.remove(change.removed);
  else if (change.table === 'patients') built.patients.upsert(change.row);
  else built.directory.upsert(change.row);
}
