import { describe, expect, it } from 'vitest';
import type { CtcId, EntryId } from '../../../src/domain/types';
import { StorageError } from '../../../src/crdt/ports';
import { DocumentRepository } from '../../../src/crdt/repository';
import { createClinicService, profileKey } from '../../../src/app/clinic-service';
import { sequentialIds } from '../../../src/app/ids';
import type { DeviceProfile } from '../../../src/app/views';
import { aminaForm, createDevice, setUpDevice, testClock, visitForm } from './harness';

const unwrap = <T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
};

describe('device setup', () => {
  it('names every wrong field of the setup form at once', async () => {
    const device = createDevice();
    const result = await device.service.setupDevice({
      facilityName: '',
      facilityCode: '0102003',
      district: 'Kinondoni',
      region: 'Dar es Salaam',
      userName: '',
      role: '',
      deviceSlot: '100',
      language: 'en',
    });
    expect(result.ok).toBe(false);
    if (result.ok || result.error.type !== 'invalid') throw new Error('expected invalid');
    expect(result.error.issues.map((i) => i.field).sort()).toEqual(
      ['deviceSlot', 'facilityCode', 'facilityName', 'role', 'userName'].sort(),
    );
    expect(device.service.profile()).toBeUndefined();
  });
});

describe('registration', () => {
  it('hands out IDs from the device block and finds the patient by name, ID and phone', async () => {
    const device = createDevice();
    await setUpDevice(device, { deviceSlot: '7' });
    const first = unwrap(
      await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: false }),
    );
    const second = unwrap(
      await device.service.registerPatient(
        { ...aminaForm, givenName: 'Zaïtuni', phone: '' },
        { acknowledgeDuplicate: false },
      ),
    );
    expect(first).toBe('01020003070001');
    expect(second).toBe('01020003070002');
    expect((await device.service.search('zaitu')).map((h) => h.ctcId)).toEqual([second]);
    expect((await device.service.search('AMI mwak')).map((h) => h.ctcId)).toEqual([first]);
    expect((await device.service.search('01-02-0003-070001')).map((h) => h.ctcId)).toEqual([first]);
    expect((await device.service.search('0712 345 678')).map((h) => h.ctcId)).toEqual([first]);
  });

  it('two devices of one facility registering at the same moment never share an ID', async () => {
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const a = createDevice(clock, 'a');
    const b = createDevice(clock, 'b');
    await setUpDevice(a, { deviceSlot: '1' });
    await setUpDevice(b, { deviceSlot: '2' });
    const ids = await Promise.all(
      [a, b].flatMap((device) =>
        [0, 1, 2].map(async (n) =>
          unwrap(
            await device.service.registerPatient(
              { ...aminaForm, givenName: `Person${'abc'[n]}` },
              { acknowledgeDuplicate: true },
            ),
          ),
        ),
      ),
    );
    expect(new Set(ids).size).toBe(6);
  });

  it('never reuses an ID when the stored counter is lost', async () => {
    const device = createDevice();
    await setUpDevice(device);
    const first = unwrap(
      await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: false }),
    );
    await device.store.setMeta('ctc-serial-counter', 0);
    const second = unwrap(
      await device.service.registerPatient(
        { ...aminaForm, givenName: 'Rehema' },
        { acknowledgeDuplicate: false },
      ),
    );
    expect(second).not.toBe(first);
  });

  it('warns about a likely duplicate before saving, and saves once the clinician confirms', async () => {
    const device = createDevice();
    await setUpDevice(device);
    unwrap(await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: false }));
    const again = await device.service.registerPatient(
      { ...aminaForm, givenName: 'AMINA', familyName: 'Mwakyusa' },
      { acknowledgeDuplicate: false },
    );
    expect(again.ok).toBe(false);
    if (again.ok) return;
    expect(again.error.type).toBe('possible-duplicate');
    expect((await device.service.search('amina')).length).toBe(1);
    const confirmed = await device.service.registerPatient(aminaForm, {
      acknowledgeDuplicate: true,
    });
    expect(confirmed.ok).toBe(true);
  });

  it('refuses a future birth date and names the field', async () => {
    const device = createDevice();
    await setUpDevice(device);
    const result = await device.service.registerPatient(
      { ...aminaForm, birthDate: '2030-01-01' },
      { acknowledgeDuplicate: false },
    );
    expect(result).toMatchObject({ ok: false, error: { type: 'invalid' } });
    if (result.ok || result.error.type !== 'invalid') return;
    expect(result.error.issues).toContainEqual(expect.objectContaining({ field: 'birthDate' }));
  });

  it('a full disk is reported, nothing is half-written, and the same save works afterwards', async () => {
    const device = createDevice();
    await setUpDevice(device);
    device.store.failNextCommit('quota-exceeded');
    const failed = await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    expect(failed).toEqual({ ok: false, error: { type: 'storage', code: 'quota-exceeded' } });
    expect(await device.service.search('amina')).toEqual([]);
    expect(await device.store.getMeta('ctc-serial-counter')).toBeUndefined();
    const saved = unwrap(
      await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: false }),
    );
    expect(saved).toBe('01020003010001');
  });
});

describe('register repair', () => {
  it('D5 a registration whose register summary cannot be stored stores no record either', async () => {
    const device = createDevice();
    await setUpDevice(device);
    const commitMany = device.store.commitMany.bind(device.store);
    device.store.commitMany = (writes) =>
      writes.some((write) => write.docId.startsWith('register:'))
        ? Promise.reject(new StorageError('quota-exceeded', 'full'))
        : commitMany(writes);
    const failed = await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    device.store.commitMany = commitMany;
    expect(failed).toEqual({ ok: false, error: { type: 'storage', code: 'quota-exceeded' } });
    expect(await device.store.listDocs('patient')).toEqual([]);
    expect(await device.store.getMeta('ctc-serial-counter')).toBeUndefined();
  });

  it('Z1a a visit and the register summary it changes are one commit: both or neither', async () => {
    const device = createDevice();
    await setUpDevice(device);
    const ctcId = unwrap(
      await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: false }),
    );
    const commits: string[][] = [];
    const commit = device.store.commit.bind(device.store);
    const commitMany = device.store.commitMany.bind(device.store);
    device.store.commit = (write) => {
      commits.push([write.docId]);
      return commit(write);
    };
    device.store.commitMany = (writes) => {
      commits.push(writes.map((write) => write.docId));
      return commitMany(writes);
    };
    unwrap(await device.service.recordVisit(ctcId, visitForm('2026-03-02', '2026-04-07')));
    // One storage transaction for the save, holding the record and its register summary.
    expect(commits).toEqual([[`patient:${ctcId}`, 'register:01020003']]);
    const [row] = await device.store.searchDirectory(ctcId, 1);
    expect(row?.lastVisitDate).toBe('2026-03-02');

    // A disk that refuses the summary stores no visit either, and the save says so.
    device.store.commitMany = (writes) =>
      writes.some((write) => write.docId.startsWith('register:'))
        ? Promise.reject(new StorageError('quota-exceeded', 'full'))
        : commitMany(writes);
    const failed = await device.service.recordVisit(
      ctcId,
      visitForm('2026-03-10', '2026-04-07', { weightKg: '71' }),
    );
    device.store.commitMany = commitMany;
    expect(failed).toEqual({ ok: false, error: { type: 'storage', code: 'quota-exceeded' } });
    const view = await device.service.getPatient(ctcId);
    expect(view?.visits).toHaveLength(1);
    const [after] = await device.store.searchDirectory(ctcId, 1);
    expect(after?.lastVisitDate).toBe('2026-03-02');
  });

  it('a record stored without its register summary (by an older version) is findable again after a restart', async () => {
    const device = createDevice();
    await setUpDevice(device);
    // An older version stored the record and its summary in two transactions; a kill between
    // them left the record alone.
    const commitMany = device.store.commitMany.bind(device.store);
    device.store.commitMany = (writes) =>
      commitMany(writes.filter((write) => !write.docId.startsWith('register:')));
    const ctcId = unwrap(
      await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: false }),
    );
    device.store.commitMany = commitMany;
    expect(await device.store.getDirectoryRow(ctcId)).toBeUndefined();
    const repo = new DocumentRepository({
      store: device.store,
      clock: testClock('2026-03-10T10:00:00.000Z'),
    });
    const restarted = createClinicService({
      repo,
      store: device.store,
      clock: testClock('2026-03-10T10:00:00.000Z'),
      ids: sequentialIds('restarted'),
      storage: {
        usage: () => Promise.resolve({ usageBytes: 1, quotaBytes: 2, persisted: false }),
        requestPersistence: () => Promise.resolve(true),
      },
      profile: (await device.store.getMeta<DeviceProfile>(profileKey))!,
    });
    expect(await restarted.repairRegister()).toBe(1);
    expect((await device.store.getDirectoryRow(ctcId))?.familyName).toBe('Mwakyusa');
    expect(await restarted.repairRegister()).toBe(0);
  });
});

describe('the patient record', () => {
  async function withPatient() {
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const device = createDevice(clock);
    await setUpDevice(device);
    const ctcId = unwrap(
      await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: false }),
    );
    return { device, clock, ctcId };
  }

  it('records a visit stamped with who, where and when, and shows it on the timeline', async () => {
    const { device, ctcId } = await withPatient();
    unwrap(
      await device.service.recordVisit(
        ctcId,
        visitForm('2026-03-10', '2026-04-09', { weightKg: '61.5' }),
      ),
    );
    const view = await device.service.getPatient(ctcId);
    expect(view?.visits).toHaveLength(1);
    expect(view?.visits[0]).toMatchObject({
      kind: 'visit',
      stamp: { userName: 'Neema Mushi', facilityCode: '01020003' },
      data: { weightKg: 61.5, regimen: '1r-A', nextAppointment: '2026-04-09' },
    });
    expect(view?.nextAppointment).toEqual({ date: '2026-04-09', state: 'upcoming' });
  });

  it('refuses a visit before birth or with medicine but no next appointment, keeping nothing', async () => {
    const { device, ctcId } = await withPatient();
    const result = await device.service.recordVisit(ctcId, visitForm('1980-01-01', ''));
    if (result.ok || result.error.type !== 'invalid') throw new Error('expected invalid');
    expect(result.error.issues.map((i) => `${i.field}:${i.rule}`).sort()).toEqual(
      ['date:date_before_birth', 'nextAppointment:appointment_required'].sort(),
    );
    expect((await device.service.getPatient(ctcId))?.visits).toHaveLength(0);
  });

  it('a correction supersedes the visit, both stay in the history, and one appointment remains', async () => {
    const { device, ctcId } = await withPatient();
    const original = unwrap(
      await device.service.recordVisit(
        ctcId,
        visitForm('2026-03-10', '2026-04-09', { weightKg: '16' }),
      ),
    );
    const fix = unwrap(
      await device.service.recordVisit(
        ctcId,
        visitForm('2026-03-10', '2026-04-10', { weightKg: '61' }),
        original,
      ),
    );
    const view = await device.service.getPatient(ctcId);
    expect(view?.visits.map((v) => v.id)).toEqual([fix]);
    const history = view?.history.filter((e) => e.kind === 'visit') ?? [];
    expect(history.map((e) => e.id).sort()).toEqual([original, fix].sort());
    expect(history.find((e) => e.id === original)?.supersededBy).toEqual([fix]);
    expect(view?.nextAppointment?.date).toBe('2026-04-10');
    const list = await device.service.clinicList('2026-04-10' as never);
    expect(list.dueToday.map((item) => item.row.ctcId)).toEqual([ctcId]);
  });

  it('edits demographics with a logged change and updates search', async () => {
    const { device, ctcId } = await withPatient();
    const edit = unwrap(
      await device.service.editDemographics(ctcId, { ...aminaForm, familyName: 'Mwakasege' }),
    );
    expect(edit).not.toBeNull();
    const view = await device.service.getPatient(ctcId);
    expect(view?.demographics.familyName).toBe('Mwakasege');
    const log = view?.history.find((e) => e.id === edit);
    expect(log?.data).toEqual({
      changes: [{ field: 'familyName', from: 'Mwakyusa', to: 'Mwakasege' }],
    });
    expect((await device.service.search('mwakasege')).map((h) => h.ctcId)).toEqual([ctcId]);
    expect(await device.service.search('mwakyusa')).toEqual([]);
    // Saving the same values again records nothing.
    expect(
      unwrap(
        await device.service.editDemographics(ctcId, { ...aminaForm, familyName: 'Mwakasege' }),
      ),
    ).toBeNull();
  });

  it('a transfer changes the status without deleting anything', async () => {
    const { device, ctcId } = await withPatient();
    unwrap(await device.service.recordVisit(ctcId, visitForm('2026-03-10', '2026-04-09')));
    const missing = await device.service.changeStatus(ctcId, {
      status: 'transferred_out',
      date: '2026-03-10',
    });
    expect(missing).toMatchObject({ ok: false, error: { type: 'invalid' } });
    unwrap(
      await device.service.changeStatus(ctcId, {
        status: 'transferred_out',
        date: '2026-03-10',
        toFacility: 'Temeke CTC',
      }),
    );
    const view = await device.service.getPatient(ctcId);
    expect(view?.status).toBe('transferred_out');
    expect(view?.flags).toContain('transferred_out');
    expect(view?.visits).toHaveLength(1);
    expect((await device.service.search('amina'))[0]?.status).toBe('transferred_out');
    expect((await device.service.clinicList('2026-04-09' as never)).dueToday).toEqual([]);
  });

  it("today's clinic list sorts appointments into due, overdue, missed and lost to follow-up", async () => {
    const { device, clock } = await withPatient();
    const names = ['Due', 'Overdue', 'Missed', 'Lost'];
    const appointments = ['2026-04-30', '2026-04-27', '2026-04-20', '2026-03-25'];
    const ids: CtcId[] = [];
    for (const [i, name] of names.entries()) {
      const id = unwrap(
        await device.service.registerPatient(
          { ...aminaForm, givenName: name },
          { acknowledgeDuplicate: true },
        ),
      );
      unwrap(await device.service.recordVisit(id, visitForm('2026-03-10', appointments[i]!)));
      ids.push(id);
    }
    clock.set('2026-04-30T09:00:00.000Z');
    const list = await device.service.clinicList('2026-04-30' as never);
    expect(list.dueToday.map((i) => i.row.ctcId)).toEqual([ids[0]]);
    expect(list.overdue.map((i) => i.row.ctcId)).toEqual([ids[1]]);
    expect(list.missed.map((i) => i.row.ctcId)).toEqual([ids[2]]);
    expect(list.ltfu.map((i) => i.row.ctcId)).toEqual([ids[3]]);
    expect(list.missed[0]?.daysLate).toBe(10);
  });

  it('enters a lab result later with the unit from the vocabulary', async () => {
    const { device, ctcId } = await withPatient();
    unwrap(
      await device.service.recordResult(ctcId, {
        investigation: 'viral_load',
        sampleDate: '2026-03-01',
        resultDate: '2026-03-09',
        value: '40',
      }),
    );
    const view = await device.service.getPatient(ctcId);
    expect(view?.results[0]?.data).toMatchObject({
      investigation: 'viral_load',
      value: { kind: 'numeric', value: 40, unit: 'copies/mL' },
    });
  });

  it('a supervisor reads but cannot write', async () => {
    const device = createDevice();
    await setUpDevice(device, { role: 'supervisor' });
    const result = await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    expect(result).toEqual({ ok: false, error: { type: 'not-permitted' } });
  });

  it('watchers see every saved change to the record', async () => {
    const { device, ctcId } = await withPatient();
    const seen: number[] = [];
    const stop = device.service.watchPatient(ctcId, (view) => seen.push(view?.visits.length ?? -1));
    unwrap(await device.service.recordVisit(ctcId, visitForm('2026-03-10', '2026-04-09')));
    await new Promise((resolve) => setTimeout(resolve, 10));
    stop();
    expect(seen.at(-1)).toBe(1);
  });

  it('a visit for a patient whose record is not on this device yet is kept', async () => {
    const device = createDevice();
    await setUpDevice(device);
    const elsewhere = '01020004010001' as CtcId;
    unwrap(await device.service.recordVisit(elsewhere, visitForm('2026-03-10', '2026-04-09')));
    expect(await device.service.getPatient(elsewhere)).toBeUndefined();
    expect(await device.repo.isStored(`patient:${elsewhere}` as never)).toBe(true);
    void ('' as unknown as EntryId);
  });
});
