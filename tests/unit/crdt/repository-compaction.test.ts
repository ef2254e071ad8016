/**
 * Compaction off the awaited save path (issue 9 point 1): a save resolves before the store's
 * compaction starts, no write is lost when one lands while compaction runs (D3), and the
 * repository's count of stored updates stays right afterwards.
 */
import { describe, expect, it } from 'vitest';
import type { EntryId } from '../../../src/domain/types';
import { patientDocId } from '../../../src/crdt/doc-id';
import { appendEntry, initPatientDoc, readPatient } from '../../../src/crdt/patient-doc';
import { DocumentRepository } from '../../../src/crdt/repository';
import { createMemoryStore } from '../../../src/storage/memory-store';
import { amina, ctcA1, facilityA, stampAt, visitEntry } from './fixtures';

const clock = { now: () => Date.parse('2026-02-01T09:00:00.000Z') };
const docId = patientDocId(ctcA1);

/** A memory store that records when compaction starts and can hold the next one until released. */
function watchedStore() {
  const store = createMemoryStore({ clock });
  const events: string[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const compact = store.compact.bind(store);
  store.compact = async (id) => {
    events.push('compact-start');
    if (hold) {
      hold = false;
      await new Promise<void>((resolve) => (release = resolve));
    }
    const merged = await compact(id);
    events.push(`compact-end:${merged}`);
    return merged;
  };
  return {
    store,
    events,
    holdCompaction: () => (hold = true),
    release: () => release?.(),
  };
}

async function register(repo: DocumentRepository) {
  await repo.write(docId, (doc) =>
    initPatientDoc(doc, {
      ctcId: ctcA1,
      primaryFacility: facilityA,
      demographics: amina,
      stamp: stampAt('2026-02-01T09:00:00.000Z'),
      entryId: 'reg' as EntryId,
    }),
  );
}

const visit = (repo: DocumentRepository, id: string) =>
  repo.write(docId, (doc) => appendEntry(doc, visitEntry(id, '2026-02-01')));

describe('compaction after the save', () => {
  it('a save that reaches the threshold resolves before compaction starts', async () => {
    const { store, events } = watchedStore();
    const repo = new DocumentRepository({ store, clock, compactAfter: 3 });
    await register(repo);
    await visit(repo, 'v1');
    const third = visit(repo, 'v2').then(() => events.push('save-resolved'));
    await third;
    expect(events).toEqual(['save-resolved']);
    await repo.idle();
    expect(events).toEqual(['save-resolved', 'compact-start', 'compact-end:3']);
    expect(await store.loadUpdates(docId)).toHaveLength(1);
  });

  it('a save made while compaction runs is kept, and counted after it', async () => {
    const { store, events, holdCompaction, release } = watchedStore();
    const repo = new DocumentRepository({ store, clock, compactAfter: 3 });
    await register(repo);
    await visit(repo, 'v1');
    holdCompaction();
    await visit(repo, 'v2');
    // Let the scheduled compaction start and wait inside the store.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(events).toEqual(['compact-start']);
    // Saves do not wait for it: this one resolves while compaction is held.
    await visit(repo, 'v3');
    await visit(repo, 'v4');
    release();
    await repo.idle();
    // The held compaction read the store only once released, so it merged all five updates.
    expect(events[1]).toBe('compact-end:5');
    expect(await store.loadUpdates(docId)).toHaveLength(1);
    const fresh = new DocumentRepository({ store, clock });
    expect(
      readPatient(await fresh.get(docId))
        .entries.visit.map((v) => v.id)
        .sort(),
    ).toEqual(['v1', 'v2', 'v3', 'v4']);
    // entry.storedUpdates is 1 again: two more saves do not reach the threshold of 3.
    await visit(repo, 'v5');
    await repo.idle();
    expect(events.filter((e) => e === 'compact-start')).toHaveLength(1);
    await visit(repo, 'v6');
    await repo.idle();
    expect(events.filter((e) => e === 'compact-start')).toHaveLength(2);
  });
});
