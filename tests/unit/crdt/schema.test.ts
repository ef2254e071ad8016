import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  currentSchemaVersion,
  migrateDoc,
  pendingMigrations,
  type Migration,
} from '../../../src/crdt/schema';

describe('schema versions and migrations', () => {
  const renameVisits: Migration = {
    from: 1,
    kind: 'patient',
    migrate(doc) {
      // A hypothetical layout change: move visits into a list named encounters.
      const old = doc.getArray('visits').toArray();
      doc.getArray('encounters').push(old);
    },
  };

  it('leaves a current document untouched', () => {
    const doc = new Y.Doc();
    doc.getMap('meta').set('schema', currentSchemaVersion);
    expect(migrateDoc(doc, 'patient')).toBe(false);
  });

  it('runs each step in order and stamps the new version', () => {
    const doc = new Y.Doc();
    doc.getMap('meta').set('schema', 1);
    doc.getArray('visits').push([{ id: 'v1' }]);
    expect(migrateDoc(doc, 'patient', 2, [renameVisits])).toBe(true);
    expect(doc.getMap('meta').get('schema')).toBe(2);
    expect(doc.getArray('encounters').toJSON()).toEqual([{ id: 'v1' }]);
  });

  it('refuses to guess when a step is missing', () => {
    expect(() => pendingMigrations('register', 1, 2, [renameVisits])).toThrow(/No migration/);
  });
});
