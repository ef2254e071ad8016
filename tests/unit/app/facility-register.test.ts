/**
 * Issue 8 point 8: what the district overview reads. A facility's register as rows sorted by
 * name (held or not), and the facilities a supervisor oversees: those of its district.
 */
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { networkDocId, registerDocId } from '../../../src/crdt/doc-id';
import type { CtcId, FacilityCode } from '../../../src/domain/types';
import { aminaForm, createDevice, setUpDevice, testClock, type Device } from './harness';

const unwrap = <T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
};

const barakaForm = {
  givenName: 'Baraka',
  familyName: 'Ally',
  sex: 'male',
  birthDate: '1985-11-02',
  birthDateEstimated: false,
  phone: '+255 754 111 222',
};

async function withTwoPatients(): Promise<{ device: Device; amina: CtcId; baraka: CtcId }> {
  const device = createDevice(testClock('2026-03-10T09:00:00.000Z'), 'mbezi');
  await setUpDevice(device);
  const amina = unwrap(
    await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: false }),
  );
  const baraka = unwrap(
    await device.service.registerPatient(barakaForm, { acknowledgeDuplicate: false }),
  );
  return { device, amina, baraka };
}

/** Hands documents of one device to another as a peer would (no policy in this harness). */
async function copyDocs(from: Device, to: Device, docIds: Parameters<Device['repo']['get']>[0][]) {
  for (const docId of docIds) {
    const update = Y.encodeStateAsUpdate(await from.repo.get(docId));
    await to.repo.applyRemote(docId, update, 'seed');
  }
}

async function supervisor(scopeName: string): Promise<Device> {
  const device = createDevice(testClock('2026-03-10T09:00:00.000Z'), 'sup');
  unwrap(await device.service.setupSupervisor({ userName: 'Rehema', language: 'en', scopeName }));
  return device;
}

describe('a facility register for the district overview', () => {
  it('lists the patients of the register by family then given name, held here', async () => {
    const { device, amina, baraka } = await withTwoPatients();
    const rows = await device.service.facilityRegister('01020003');
    expect(rows.map((r) => [r.ctcId, r.familyName, r.givenName, r.held])).toEqual([
      [baraka, 'Ally', 'Baraka', true],
      [amina, 'Mwakyusa', 'Amina', true],
    ]);
    expect(rows[1]).toMatchObject({ sex: 'female', birthYear: 1990, status: 'active' });
    expect(rows[1]?.lastVisitDate).toBeUndefined();
  });

  it('lists nothing for a facility whose register this device has not received', async () => {
    const { device } = await withTwoPatients();
    expect(await device.service.facilityRegister('01030001')).toEqual([]);
  });

  it("says a supervisor's rows are not held when only the register arrived", async () => {
    const { device } = await withTwoPatients();
    const sup = await supervisor('Kinondoni');
    await copyDocs(device, sup, [networkDocId, registerDocId('01020003' as FacilityCode)]);
    const rows = await sup.service.facilityRegister('01020003');
    expect(rows.map((r) => [r.familyName, r.held])).toEqual([
      ['Ally', false],
      ['Mwakyusa', false],
    ]);
  });
});

describe('the facilities of the district overview', () => {
  async function twoDistricts() {
    const { device: mbezi } = await withTwoPatients();
    const ilala = createDevice(testClock('2026-03-10T09:00:00.000Z'), 'ilala');
    await setUpDevice(ilala, {
      facilityName: 'Buguruni CTC',
      facilityCode: '01030001',
      district: 'Ilala',
    });
    return { mbezi, ilala };
  }

  it('are every facility the network lists for a facility device', async () => {
    const { mbezi, ilala } = await twoDistricts();
    await copyDocs(ilala, mbezi, [networkDocId]);
    const facilities = await mbezi.service.overviewFacilities();
    expect(facilities.map((f) => [f.code, f.district]).sort()).toEqual([
      ['01020003', 'Kinondoni'],
      ['01030001', 'Ilala'],
    ]);
  });

  it("are those of a district supervisor's district only", async () => {
    const { mbezi, ilala } = await twoDistricts();
    const sup = await supervisor('Kinondoni');
    await copyDocs(mbezi, sup, [networkDocId]);
    await copyDocs(ilala, sup, [networkDocId]);
    expect((await sup.service.overviewFacilities()).map((f) => f.code)).toEqual(['01020003']);
  });

  it('are all of them for a supervisor of the whole network', async () => {
    const { mbezi, ilala } = await twoDistricts();
    const sup = await supervisor('Dar es Salaam CTC network');
    await copyDocs(mbezi, sup, [networkDocId]);
    await copyDocs(ilala, sup, [networkDocId]);
    expect((await sup.service.overviewFacilities()).map((f) => f.code).sort()).toEqual([
      '01020003',
      '01030001',
    ]);
  });
});
