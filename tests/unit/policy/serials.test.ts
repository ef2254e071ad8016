/**
 * Serial allocation cannot be steered by peers (docs/protocol.md §15, U37–U38): the next ID is
 * the first free one after the stored counter, never "highest seen + 1", and never an ID whose
 * record is stored here or whose summary the register lists.
 */
import { describe, expect, it } from 'vitest';
import { patientDocId, registerDocId } from '../../../src/crdt/doc-id';
import { initPatientDoc } from '../../../src/crdt/patient-doc';
import { upsertSummary } from '../../../src/crdt/register-doc';
import { nextFreeCtcId } from '../../../src/domain/ctc-id';
import type { CtcId, EntryId, FacilityCode, Stamp } from '../../../src/domain/types';
import { aminaForm, createDevice, setUpDevice, setupInput } from '../app/harness';

const FAC = setupInput.facilityCode as FacilityCode;
const serial = (counter: number) => `${FAC}01${String(counter).padStart(4, '0')}` as CtcId;
const baraka = { ...aminaForm, givenName: 'Baraka', familyName: 'Juma', sex: 'male' };
const stamp: Stamp = {
  userId: 'u' as Stamp['userId'],
  userName: 'Someone',
  role: 'clinician',
  deviceId: 'other' as Stamp['deviceId'],
  facilityCode: FAC,
  at: '2026-03-10T09:00:00.000Z' as Stamp['at'],
};

describe('§15 serial allocation (U37, U38)', () => {
  it('U37 a summary planted at the top of the block does not exhaust it', async () => {
    const device = createDevice();
    await setUpDevice(device);
    await device.repo.write(registerDocId(FAC), (doc) =>
      upsertSummary(doc, {
        ctcId: serial(9999),
        givenName: 'Planted',
        familyName: 'Top',
        sex: 'male',
        birthYear: 1980,
        status: 'active',
        registeredAt: stamp.at,
      }),
    );
    const first = await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: true });
    expect(first).toEqual({ ok: true, value: serial(1) });
  });

  it('U38 an ID whose record is already stored here is skipped, not opened as a new patient', async () => {
    const device = createDevice();
    await setUpDevice(device);
    await device.repo.write(patientDocId(serial(1)), (doc) =>
      initPatientDoc(doc, {
        ctcId: serial(1),
        primaryFacility: FAC,
        demographics: { ...aminaForm, birthDate: aminaForm.birthDate as never } as never,
        stamp,
        entryId: 'x1' as EntryId,
      }),
    );
    const next = await device.service.registerPatient(baraka, { acknowledgeDuplicate: true });
    expect(next).toEqual({ ok: true, value: serial(2) });
  });

  it('U38 a device without a stored counter starts at the first serial nobody holds', async () => {
    const taken = new Set([serial(1), serial(2), serial(4)]);
    const next = await nextFreeCtcId(FAC, 1, 0, (id) => taken.has(id));
    expect(next).toEqual({ ok: true, value: { ctcId: serial(3), counter: 3 } });
    const exhausted = await nextFreeCtcId(FAC, 1, 9998, (id) => id === serial(9999));
    expect(exhausted).toEqual({ ok: false, error: 'serials-exhausted' });
  });
});
