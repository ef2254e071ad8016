/**
 * D12: a received update that holds nothing new costs a decode of the update, never a copy or
 * an encode of the document (a register of thousands of patients took ~149 ms per duplicate).
 * D22: one that holds something new is applied to the live document without a copy either.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { CtcId, IsoDateTime } from '../../../src/domain/types';
import { registerDocId } from '../../../src/crdt/doc-id';
import { initRegisterDoc, registerPatients, upsertSummary } from '../../../src/crdt/register-doc';
import { DocumentRepository } from '../../../src/crdt/repository';
import { createMemoryStore } from '../../../src/storage/memory-store';
import { facilityA } from './fixtures';

vi.mock('yjs', async (importOriginal) => {
  const actual = await importOriginal<typeof Y>();
  return { ...actual, encodeStateAsUpdate: vi.fn(actual.encodeStateAsUpdate) };
});

const clock = { now: () => Date.parse('2026-02-01T09:00:00.000Z') };
const registerId = registerDocId(facilityA);
const ctc = (serial: number) => `${facilityA}01${String(serial).padStart(4, '0')}` as CtcId;

function summary(serial: number) {
  return {
    ctcId: ctc(serial),
    givenName: `Given${serial}`,
    familyName: `Family${serial}`,
    sex: 'female' as const,
    birthYear: 1990,
    status: 'active' as const,
    registeredAt: '2026-02-01T09:00:00.000Z' as IsoDateTime,
  };
}

/** A peer's copy of a register of `patients`, and the repository that received it whole. */
async function receivedRegister(patients: number) {
  const peer = new Y.Doc();
  initRegisterDoc(peer, facilityA);
  for (let i = 1; i <= patients; i += 1) upsertSummary(peer, summary(i));
  const repo = new DocumentRepository({ store: createMemoryStore({ clock }), clock });
  await repo.applyRemote(registerId, Y.encodeStateAsUpdate(peer), 'peer');
  return { peer, repo };
}

describe('duplicate updates', () => {
  beforeEach(() => {
    vi.mocked(Y.encodeStateAsUpdate).mockClear();
  });

  it('D12 a duplicate of a large register is unchanged without a copy or encode of the register', async () => {
    const { peer, repo } = await receivedRegister(300);
    const before = Y.encodeStateVector(peer);
    upsertSummary(peer, { ctcId: ctc(7), status: 'died' });
    const change = Y.encodeStateAsUpdate(peer, before);
    expect(await repo.applyRemote(registerId, change, 'peer')).toEqual({ type: 'applied' });
    const whole = Y.encodeStateAsUpdate(peer);
    vi.mocked(Y.encodeStateAsUpdate).mockClear();

    // The same change from a second neighbour, and the whole register again from a third.
    expect(await repo.applyRemote(registerId, change, 'second')).toEqual({ type: 'unchanged' });
    expect(await repo.applyRemote(registerId, whole, 'third')).toEqual({ type: 'unchanged' });
    expect(Y.encodeStateAsUpdate).not.toHaveBeenCalled();
  });

  it('D12 a delete of content already deleted here is a duplicate; a delete of live content is not', async () => {
    const { peer, repo } = await receivedRegister(3);
    const before = Y.encodeStateVector(peer);
    // An overwrite deletes the old value: the update's delete set names it.
    upsertSummary(peer, { ctcId: ctc(2), status: 'transferred_out' });
    const overwrite = Y.encodeStateAsUpdate(peer, before);
    expect(await repo.applyRemote(registerId, overwrite, 'peer')).toEqual({ type: 'applied' });
    vi.mocked(Y.encodeStateAsUpdate).mockClear();
    expect(await repo.applyRemote(registerId, overwrite, 'again')).toEqual({ type: 'unchanged' });
    expect(Y.encodeStateAsUpdate).not.toHaveBeenCalled();

    // A delete-only update (no structs) of a live summary field holds something new.
    const deleter = new Y.Doc();
    Y.applyUpdate(deleter, Y.encodeStateAsUpdate(peer));
    const svBefore = Y.encodeStateVector(deleter);
    const updates: Uint8Array[] = [];
    deleter.on('update', (update: Uint8Array) => updates.push(update));
    registerPatients(deleter).get(ctc(3))?.delete('familyName');
    expect(Y.encodeStateVector(deleter)).toEqual(svBefore);
    const deleteOnly = updates[0]!;
    vi.mocked(Y.encodeStateAsUpdate).mockClear();
    expect(await repo.applyRemote(registerId, deleteOnly, 'peer')).toEqual({ type: 'applied' });
    // Applied to the live register: no copy (an encode of the whole register) is made.
    expect(Y.encodeStateAsUpdate).not.toHaveBeenCalled();
    const live = await repo.get(registerId);
    expect(registerPatients(live).get(ctc(3))?.get('familyName')).toBeUndefined();
  });

  it('D12 an update with structs this device lacks is applied as before', async () => {
    const { peer, repo } = await receivedRegister(2);
    const before = Y.encodeStateVector(peer);
    upsertSummary(peer, summary(3));
    const added = Y.encodeStateAsUpdate(peer, before);
    expect(await repo.applyRemote(registerId, added, 'peer')).toEqual({ type: 'applied' });
    expect(registerPatients(await repo.get(registerId)).has(ctc(3))).toBe(true);
  });
});
