/**
 * Document schema versions and migrations. Records live for decades, so every document carries
 * the version it was written with (`meta.schema`) and is migrated forward when opened.
 */
import type * as Y from 'yjs';
import type { DocKind } from './doc-id';

export const currentSchemaVersion = 1;

/** A migration moves a document from version `from` to `from + 1`, inside one Yjs transaction. */
export interface Migration {
  from: number;
  kind: DocKind;
  migrate(doc: Y.Doc): void;
}

/**
 * Version 1 is the first released layout, so there is nothing to migrate yet; the list exists so
 * the next layout change is one entry here plus a test, not a rewrite.
 */
export const migrations: readonly Migration[] = [];

export function schemaVersionOf(doc: Y.Doc): number | undefined {
  const value: unknown = doc.getMap('meta').get('schema');
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** Migrations to run, in order, for a document stored at `version`. */
export function pendingMigrations(
  kind: DocKind,
  version: number,
  target: number = currentSchemaVersion,
  list: readonly Migration[] = migrations,
): Migration[] {
  const steps: Migration[] = [];
  for (let from = version; from < target; from += 1) {
    const step = list.find((m) => m.kind === kind && m.from === from);
    if (!step) throw new Error(`No migration for ${kind} documents from schema ${from}`);
    steps.push(step);
  }
  return steps;
}

/** Apply migrations and stamp the new version; a no-op for current documents. */
export function migrateDoc(
  doc: Y.Doc,
  kind: DocKind,
  target: number = currentSchemaVersion,
  list: readonly Migration[] = migrations,
): boolean {
  const version = schemaVersionOf(doc);
  // A document that only holds entries written before its record arrived has no version yet;
  // the record's own meta will carry it.
  if (version === undefined || version >= target) return false;
  for (const step of pendingMigrations(kind, version, target, list)) step.migrate(doc);
  doc.getMap('meta').set('schema', target);
  return true;
}
