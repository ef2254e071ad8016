/**
 * The day an appointment entry counts from is the clinic's calendar day, for the lists (crdt
 * `latestAppointment`, through the appointment index) and for the rules (care/record.ts
 * `appointmentsOf`) alike. Before, the crdt layer took the UTC day: an appointment booked at
 * 01:00 in Dar es Salaam (22:00 UTC the day before) counted as set before that day's visit,
 * so the visit's later appointment won and the patient was not on the overdue list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { careRecordOf } from '../../../src/app/care-records';
import { patientDocId } from '../../../src/crdt/doc-id';
import { latestAppointment, readPatient } from '../../../src/crdt/patient-doc';
import { careFacts, liveAppointment } from '../../../src/domain/care/record';
import type { IsoDate } from '../../../src/domain/types';
import { createClinicCore } from '../../../src/app/clinic-service';
import { createCareService } from '../../../src/app/care-service';
import { sequentialIds } from '../../../src/app/ids';
import { DocumentRepository } from '../../../src/crdt/repository';
import { createMemoryStore } from '../../../src/storage/memory-store';
import { aminaForm, setupInput, testClock, visitForm } from './harness';

const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Africa/Dar_es_Salaam';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('the day an appointment was set', () => {
  it('is the local day for the lists and the rules: booked at 01:00 EAT = 22:00 UTC the day before', async () => {
    const clock = testClock('2026-03-09T09:00:00.000Z');
    const store = createMemoryStore({ clock });
    const repo = new DocumentRepository({ store, clock });
    const { service, writes } = createClinicCore({
      repo,
      store,
      clock,
      ids: sequentialIds('tz'),
      storage: {
        usage: () => Promise.resolve({ usageBytes: 1, quotaBytes: 2, persisted: false }),
        requestPersistence: () => Promise.resolve(true),
      },
    });
    const care = createCareService({
      repo,
      store,
      clock,
      writes,
      profile: () => service.profile(),
    });
    const setup = await service.setupDevice(setupInput);
    expect(setup.ok).toBe(true);
    const registered = await service.registerPatient(aminaForm, { acknowledgeDuplicate: false });
    if (!registered.ok) throw new Error(JSON.stringify(registered.error));
    const ctcId = registered.value;
    // The visit of 9 March sets 9 April; at 01:00 on 10 March (local) the clinic books 25 March.
    expect((await service.recordVisit(ctcId, visitForm('2026-03-09', '2026-04-09'))).ok).toBe(true);
    clock.set('2026-03-09T22:00:00.000Z');
    const booked = await service.scheduleAppointment(ctcId, {
      date: '2026-03-25',
      purpose: 'clinic',
    });
    expect(booked.ok).toBe(true);

    const snapshot = readPatient(await repo.get(patientDocId(ctcId)));
    expect(latestAppointment(snapshot)).toMatchObject({
      date: '2026-03-25',
      scheduledOn: '2026-03-10',
    });
    const record = careRecordOf(snapshot, '2026-03-10' as IsoDate);
    expect(liveAppointment(careFacts(record!), '2026-03-10' as IsoDate)).toMatchObject({
      date: '2026-03-25',
      scheduledOn: '2026-03-10',
    });

    clock.set('2026-03-26T09:00:00.000Z');
    expect((await service.getPatient(ctcId))?.nextAppointment).toEqual({
      date: '2026-03-25',
      state: 'overdue',
    });
    const lists = await care.followUp();
    expect(lists.lists.overdue.map((row) => row.ctcId)).toEqual([ctcId]);
    expect(lists.lists.overdue[0]?.daysLate).toBe(1);
  });
});
