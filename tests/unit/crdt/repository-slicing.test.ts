/**
 * SL2 (issue 9 point 4): one message of many changes from a peer is applied with turns for the
 * event loop between its changes, and nothing of it is readable before it is stored (D21).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { IsoDateTime } from '../../../src/domain/types';
import { registerDocId } from '../../../src/crdt/doc-id';
import { initRegisterDoc, registerPatients, upsertSummary } from '../../../src/crdt/register-doc';
import { DocumentRepository } from '../../../src/crdt/repository';
import { createMemoryStore } from '../../../src/storage/memory-store';
import { facilityA } from './fixtures';

const clock = { now: () => Date.parse('2026-02-01T09:00:00.000Z') };
const registerId = registerDocId(facilityA);

/** A peer's register, written one summary per change, as a catch-up carries it. */
function peerChanges(count: number): Uint8Array[] {
  const doc = new Y.Doc();
  const changes: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => changes.push(update));
  initRegisterDoc(doc, facilityA);
  for (let serial = 1; serial <= count; serial++) {
    upsertSummary(doc, {
      ctcId: `${facilityA}01${String(serial).padStart(4, '0')}` as never,
      givenName: `Given${serial}`,
      familyName: `Family${serial}`,
      sex: 'female',
      birthYear: 1990,
      status: 'active',
      registeredAt: '2026-02-01T09:00:00.000Z' as IsoDateTime,
    });
  }
  return changes;
}

describe('a long batch from a peer (SL2)', () => {
  it('pauses between its changes, and a reader during a pause sees the whole batch once stored', async () => {
    const repo = new DocumentRepository({ store: createMemoryStore({ clock }), clock });
    const changes = peerChanges(30);
    let pauses = 0;
    let readDuringPause: Promise<number> | undefined;
    const outcomes = await repo.applyRemoteChanges(
      registerId,
      changes.map((update) => ({ update })),
      'peer',
      {
        pause: () => {
          pauses += 1;
          if (pauses === 10) {
            readDuringPause = repo.get(registerId).then((doc) => registerPatients(doc).size);
          }
          return new Promise((resolve) => setTimeout(resolve, 0));
        },
      },
    );
    expect(outcomes.every((outcome) => outcome.type === 'applied')).toBe(true);
    expect(pauses).toBe(changes.length);
    expect(await readDuringPause).toBe(30);
  });
});
