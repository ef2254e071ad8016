import { describe, expect, it } from 'vitest';
import { searchClinic } from '../../../src/app/patient-search';
import type { FacilityCode } from '../../../src/domain/types';
import { createMemoryStore } from '../../../src/storage/memory-store';
import {
  ctc,
  directoryRow,
  facilityA,
  facilityB,
  PatientDocFixture,
  patientRow,
  registerWrite,
  type PersonInput,
} from '../storage/fixtures';

const heldHere: PersonInput = {
  ctcId: ctc(facilityA, 1),
  givenName: 'Amina',
  familyName: 'Zuberi',
};
const listedElsewhere: PersonInput = {
  ctcId: ctc(facilityB, 2),
  givenName: 'Amina',
  familyName: 'Ally',
};
const heldFromElsewhere: PersonInput = {
  ctcId: ctc(facilityB, 3),
  givenName: 'Aminata',
  familyName: 'Mwita',
};

async function storeWithPeople() {
  const store = createMemoryStore();
  for (const person of [heldHere, heldFromElsewhere]) {
    const fixture = new PatientDocFixture(person.ctcId);
    await store.commit(
      fixture.write(fixture.setField('givenName', person.givenName), {
        projection: { patient: patientRow(person) },
      }),
    );
  }
  await store.commit(registerWrite(facilityA, [directoryRow(heldHere)]));
  await store.commit(
    registerWrite(facilityB, [directoryRow(listedElsewhere), directoryRow(heldFromElsewhere)]),
  );
  return store;
}

describe('clinic search', () => {
  it('merges held records and the directory in rank order, each patient once', async () => {
    const store = await storeWithPeople();
    const hits = await searchClinic(store, 'amina', facilityA);
    expect(hits.map((hit) => [hit.familyName, hit.held])).toEqual([
      ['Zuberi', true], // own facility, whole word
      ['Ally', false], // another facility, whole word
      ['Mwita', true], // another facility, prefix only; held, found through the directory too
    ]);
  });

  it('ranks by name alone without a facility, and an exact CTC ID first', async () => {
    const store = await storeWithPeople();
    const hits = await searchClinic(store, 'amina', undefined);
    expect(hits.map((hit) => hit.familyName)).toEqual(['Ally', 'Zuberi', 'Mwita']);
    const exact = await searchClinic(store, '1201-0002-000003', 'x' as FacilityCode);
    expect(exact.map((hit) => hit.familyName)).toEqual(['Mwita']);
  });

  it('finds nothing for blank input and never throws on odd input', async () => {
    const store = await storeWithPeople();
    expect(await searchClinic(store, '   ', facilityA)).toEqual([]);
    expect(await searchClinic(store, '😀'.repeat(10_000), facilityA)).toEqual([]);
    expect(await searchClinic(store, undefined as unknown as string, facilityA)).toEqual([]);
  });
});
