/**
 * Issue 10 points 1–3 over the real stack (memory store, `DocumentRepository`, clinic core):
 * follow-up lists from real saves, alerts from real results and their answers, tracing
 * entries stored or refused with field issues, and a peer's write reaching the lists.
 */
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { lazyCareService } from '../../../src/app/care-lazy';
import * as careModule from '../../../src/app/care-service';
import { createCareService } from '../../../src/app/care-service';
import type { CareService } from '../../../src/app/care-views';
import { createClinicCore } from '../../../src/app/clinic-service';
import { sequentialIds } from '../../../src/app/ids';
import type { ClinicService, SaveResult } from '../../../src/app/views';
import { patientDocId, registerDocId } from '../../../src/crdt/doc-id';
import { facilityOfCtcId } from '../../../src/domain/ctc-id';
import { DocumentRepository } from '../../../src/crdt/repository';
import type { CtcId } from '../../../src/domain/types';
import { createMemoryStore, type MemoryStore } from '../../../src/storage/memory-store';
import { aminaForm, setupInput, testClock, visitForm } from './harness';

type TestClock = ReturnType<typeof testClock>;

interface CareDevice {
  service: ClinicService;
  care: CareService;
  repo: DocumentRepository;
  store: MemoryStore;
  clock: TestClock;
}

const unwrap = <T>(result: SaveResult<T>): T => {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
};

async function careDevice(
  name: string,
  clock: TestClock,
  setup: Partial<typeof setupInput> = {},
): Promise<CareDevice> {
  const store = createMemoryStore({ clock });
  const repo = new DocumentRepository({ store, clock });
  const { service, writes } = createClinicCore({
    repo,
    store,
    clock,
    ids: sequentialIds(name),
    storage: {
      usage: () => Promise.resolve({ usageBytes: 1, quotaBytes: 2, persisted: false }),
      requestPersistence: () => Promise.resolve(true),
    },
  });
  unwrap(await service.setupDevice({ ...setupInput, ...setup }));
  const care = createCareService({ repo, store, clock, writes, profile: () => service.profile() });
  return { service, care, repo, store, clock };
}

async function register(device: CareDevice, givenName: string): Promise<CtcId> {
  return unwrap(
    await device.service.registerPatient(
      { ...aminaForm, givenName },
      { acknowledgeDuplicate: true },
    ),
  );
}

/** Send one device's copy of a record and its register to another, as replication would. */
async function sendRecord(from: CareDevice, to: CareDevice, ctcId: CtcId): Promise<void> {
  for (const docId of [patientDocId(ctcId), registerDocId(facilityOfCtcId(ctcId))]) {
    await to.repo.applyRemote(docId, Y.encodeStateAsUpdate(await from.repo.get(docId)), 'peer');
  }
}

const idsOf = (rows: ReadonlyArray<{ ctcId: CtcId }>) => rows.map((row) => row.ctcId);

describe('follow-up lists from real saves', () => {
  it('sorts own patients into today, the days ahead, overdue, missed and LTFU, with counts', async () => {
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const device = await careDevice('a', clock);
    const plan: Array<[string, string]> = [
      ['Today', '2026-04-30'],
      ['Tomorrow', '2026-05-01'],
      ['Week', '2026-05-06'],
      ['Overdue', '2026-04-27'],
      ['Missed', '2026-04-20'],
      ['Lost', '2026-03-25'],
      ['Later', '2026-06-15'],
    ];
    const ids: Record<string, CtcId> = {};
    for (const [name, next] of plan) {
      ids[name] = await register(device, name);
      unwrap(await device.service.recordVisit(ids[name], visitForm('2026-03-10', next)));
    }
    clock.set('2026-04-30T09:00:00.000Z');
    const view = await device.care.followUp({ date: '2026-06-15' as never });
    expect(idsOf(view.lists.today)).toEqual([ids.Today]);
    expect(idsOf(view.lists.tomorrow)).toEqual([ids.Tomorrow]);
    expect(idsOf(view.lists.week)).toEqual([ids.Tomorrow, ids.Week]);
    expect(idsOf(view.lists.overdue)).toEqual([ids.Overdue]);
    expect(idsOf(view.lists.missed)).toEqual([ids.Missed]);
    expect(idsOf(view.lists.ltfu)).toEqual([ids.Lost]);
    expect(idsOf(view.lists.date)).toEqual([ids.Later]);
    expect(view.lists.ltfu[0]).toMatchObject({
      daysLate: 36,
      lastVisit: { date: '2026-03-10', facilityCode: '01020003' },
      // The full number from the record (the list opened it), not the index's digits.
      phone: '+255 712 345 678',
    });
    expect(view.facilityNames['01020003']).toBe('Mbezi CTC');
    expect(view.counts).toMatchObject({ today: 1, overdue: 1, missed: 1, ltfu: 1, week: 2 });
    expect(await device.care.followUpCounts()).toEqual({
      today: 1,
      overdue: 1,
      missed: 1,
      ltfu: 1,
    });
  });

  it('a visit at another facility of the network keeps the appointment, and it reaches the lists', async () => {
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const home = await careDevice('home', clock);
    const other = await careDevice('other', clock, {
      facilityCode: '01020001',
      facilityName: 'Mwananyamala Hospital',
    });
    const ctcId = await register(home, 'Traveller');
    unwrap(await home.service.recordVisit(ctcId, visitForm('2026-03-10', '2026-04-09')));
    clock.set('2026-04-25T09:00:00.000Z');
    expect(idsOf((await home.care.followUp()).lists.missed)).toEqual([ctcId]);

    const seen: number[] = [];
    const stop = home.care.onChange(() => seen.push(1));
    await sendRecord(home, other, ctcId);
    unwrap(await other.service.recordVisit(ctcId, visitForm('2026-04-25', '2026-05-25')));
    await sendRecord(other, home, ctcId);
    // Changes within a window are passed on at its end (change-coalescer.ts).
    await new Promise((resolve) => setTimeout(resolve, 250));
    stop();
    // The peer's write was announced (onDocChanged, coalesced) …
    expect(seen.length).toBeGreaterThan(0);
    const view = await home.care.followUp();
    // … and the patient is no longer missed: they came today, elsewhere.
    expect(view.lists.missed).toEqual([]);
    expect(idsOf(view.lists.came)).toEqual([ctcId]);
    expect(view.lists.came[0]?.lastVisit).toEqual({ date: '2026-04-25', facilityCode: '01020001' });
  });

  it('another facility does not list a patient it only holds', async () => {
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const home = await careDevice('home', clock);
    const other = await careDevice('other', clock, { facilityCode: '01020001' });
    const ctcId = await register(home, 'Visitor');
    unwrap(await home.service.recordVisit(ctcId, visitForm('2026-03-10', '2026-04-09')));
    await sendRecord(home, other, ctcId);
    clock.set('2026-04-25T09:00:00.000Z');
    expect((await other.care.followUp()).counts.missed).toBe(0);
    expect((await home.care.followUp()).counts.missed).toBe(1);
  });
});

describe('tracing', () => {
  async function lostPatient() {
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const device = await careDevice('a', clock);
    const ctcId = await register(device, 'Lost');
    unwrap(await device.service.recordVisit(ctcId, visitForm('2026-03-10', '2026-03-25')));
    clock.set('2026-04-30T09:00:00.000Z');
    return { device, ctcId };
  }

  it('stores an attempt, shows it on the LTFU row and the record', async () => {
    const { device, ctcId } = await lostPatient();
    unwrap(
      await device.care.recordTracing(ctcId, {
        date: '2026-04-29',
        method: 'phone',
        reached: 'no',
        outcome: 'not_found',
        note: 'Number switched off',
      }),
    );
    const row = (await device.care.followUp()).lists.ltfu[0];
    expect(row?.lastTracing).toEqual({
      date: '2026-04-29',
      method: 'phone',
      reached: false,
      outcome: 'not_found',
    });
    const care = await device.care.patientCare(ctcId);
    expect(care?.tracing.map((entry) => entry.data)).toEqual([
      {
        date: '2026-04-29',
        method: 'phone',
        reached: false,
        outcome: 'not_found',
        note: 'Number switched off',
        facilityCode: '01020003',
      },
    ]);
    expect(care?.tracing[0]?.stamp.userName).toBe('Neema Mushi');
    // The record's timeline and history show the attempt beside the visits.
    const view = await device.service.getPatient(ctcId);
    expect(view?.careEntries.map((entry) => entry.kind)).toEqual(['tracing']);
    expect(view?.history.map((entry) => entry.kind)).toContain('tracing');
  });

  it('refuses an invalid attempt with field issues, storing nothing', async () => {
    const { device, ctcId } = await lostPatient();
    const refused = await device.care.recordTracing(ctcId, {
      date: '2026-05-03',
      method: 'pigeon',
      reached: 'yes',
    });
    expect(refused.ok).toBe(false);
    if (refused.ok || refused.error.type !== 'invalid') throw new Error('expected invalid');
    // A future date, a method not in the list, and someone reached with no outcome.
    expect(refused.error.issues.map((issue) => issue.field).sort()).toEqual([
      'date',
      'method',
      'outcome',
    ]);
    const reachedNoOutcome = await device.care.recordTracing(ctcId, {
      date: '2026-04-29',
      method: 'home_visit',
      reached: 'yes',
    });
    expect(reachedNoOutcome).toMatchObject({
      ok: false,
      error: { type: 'invalid', issues: [{ field: 'outcome', rule: 'required' }] },
    });
    expect((await device.care.patientCare(ctcId))?.tracing).toEqual([]);
  });

  it('a tracing "died" keeps the patient on the list until the status is changed', async () => {
    const { device, ctcId } = await lostPatient();
    unwrap(
      await device.care.recordTracing(ctcId, {
        date: '2026-04-29',
        method: 'treatment_supporter',
        reached: 'yes',
        outcome: 'died',
      }),
    );
    const before = await device.care.followUp();
    expect(before.lists.ltfu[0]?.lastTracing?.outcome).toBe('died');
    unwrap(await device.service.changeStatus(ctcId, { status: 'died', date: '2026-04-20' }));
    const after = await device.care.followUp();
    expect(after.lists.ltfu).toEqual([]);
    expect(await device.care.followUpCounts()).toEqual({
      today: 0,
      overdue: 0,
      missed: 0,
      ltfu: 0,
    });
  });

  it('a supervisor records no tracing', async () => {
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const device = await careDevice('s', clock, { role: 'supervisor' });
    const result = await device.care.recordTracing('01020003010001' as CtcId, {
      date: '2026-03-10',
      method: 'phone',
      reached: 'no',
    });
    expect(result).toEqual({ ok: false, error: { type: 'not-permitted' } });
  });
});

describe('alerts on a record', () => {
  it('appear from a real result, say why, and go once answered (by whom)', async () => {
    const clock = testClock('2026-01-10T09:00:00.000Z');
    const device = await careDevice('a', clock);
    const ctcId = await register(device, 'Unsuppressed');
    unwrap(
      await device.service.recordVisit(
        ctcId,
        visitForm('2026-01-10', '2026-04-10', {
          arvStatus: 'start',
          arvReason: 'newly_diagnosed',
          daysSupplied: '90',
        }),
      ),
    );
    clock.set('2026-03-10T09:00:00.000Z');
    unwrap(
      await device.service.recordResult(ctcId, {
        investigation: 'viral_load',
        sampleDate: '2026-03-04',
        resultDate: '2026-03-09',
        value: '12400',
      }),
    );
    const before = await device.care.patientCare(ctcId);
    const alert = before?.alerts.open.find((a) => a.ruleId === 'vl_unsuppressed');
    expect(alert?.reason.params).toMatchObject({ value: 12400, date: '2026-03-04' });
    expect(before?.canWrite).toBe(true);

    const tooShort = await device.care.answerAlert(ctcId, {
      ruleId: alert!.ruleId,
      alertKey: alert!.key,
      action: 'acknowledge',
      reason: 'ok',
    });
    expect(tooShort).toMatchObject({
      ok: false,
      error: { type: 'invalid', issues: [{ field: 'reason', rule: 'too_short' }] },
    });
    unwrap(
      await device.care.answerAlert(ctcId, {
        ruleId: alert!.ruleId,
        alertKey: alert!.key,
        action: 'acknowledge',
        reason: 'Adherence counselling booked',
      }),
    );
    const after = await device.care.patientCare(ctcId);
    expect(after?.alerts.open.some((a) => a.ruleId === 'vl_unsuppressed')).toBe(false);
    const answered = after?.alerts.answered.find((a) => a.alert.ruleId === 'vl_unsuppressed');
    expect(answered?.answer.stamp.userName).toBe('Neema Mushi');
    expect(answered?.answer.data).toMatchObject({ action: 'acknowledge', date: '2026-03-10' });
  });

  it('the missed row carries the record’s open alerts', async () => {
    const clock = testClock('2026-01-10T09:00:00.000Z');
    const device = await careDevice('a', clock);
    const ctcId = await register(device, 'Missed');
    unwrap(
      await device.service.recordVisit(
        ctcId,
        visitForm('2026-01-10', '2026-02-10', { arvStatus: 'start', arvReason: 'newly_diagnosed' }),
      ),
    );
    unwrap(
      await device.service.recordResult(ctcId, {
        investigation: 'viral_load',
        sampleDate: '2026-01-05',
        resultDate: '2026-01-09',
        value: '5000',
      }),
    );
    clock.set('2026-02-25T09:00:00.000Z');
    const row = (await device.care.followUp()).lists.missed[0];
    expect(row?.ctcId).toBe(ctcId);
    expect(row?.alerts?.count).toBeGreaterThan(0);
    expect(row?.alerts?.top.ruleId).toBeDefined();
  });
});

describe('the care service the app holds from start-up', () => {
  it('loads its code on the first call, once, and answers as the real one', async () => {
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const device = await careDevice('lazy', clock);
    const { service } = device;
    let loads = 0;
    const lazy = lazyCareService(
      {
        repo: device.repo,
        store: device.store,
        clock,
        // The writes are not used by the calls below; reads go through the same code.
        writes: { writer: () => ({ ok: false, error: { type: 'not-found' } }) } as never,
        profile: () => service.profile(),
      },
      () => {
        loads += 1;
        return Promise.resolve(careModule);
      },
    );
    expect(loads).toBe(0);
    const id = await register(device, 'Lazy');
    unwrap(await service.recordVisit(id, visitForm('2026-03-10', '2026-03-10')));
    expect(await lazy.followUpCounts()).toEqual({ today: 1, overdue: 0, missed: 0, ltfu: 0 });
    expect(idsOf((await lazy.followUp()).lists.came)).toEqual([id]);
    expect(loads).toBe(1);
  });
});

describe('a long LTFU list', () => {
  it('opens the records of the most urgent rows only, and still lists every patient', async () => {
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const device = await careDevice('long', clock);
    const count = careModule.openedRowsPerList + 5;
    for (let n = 0; n < count; n++) {
      const ctcId = await register(
        device,
        `Lost ${'abcdefghijklmnopqrstuvwxyz'[n % 26]}${'abc'[Math.floor(n / 26)]}`,
      );
      unwrap(await device.service.recordVisit(ctcId, visitForm('2026-03-10', '2026-03-25')));
    }
    clock.set('2026-04-30T09:00:00.000Z');
    let opened = 0;
    const get = device.repo.get.bind(device.repo);
    device.repo.get = (docId) => {
      if (docId.startsWith('patient:')) opened += 1;
      return get(docId);
    };
    const ltfu = (await device.care.followUp()).lists.ltfu;
    expect(ltfu).toHaveLength(count);
    expect(opened).toBe(careModule.openedRowsPerList);
  });
});
