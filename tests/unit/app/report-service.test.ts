/**
 * The report service over the real repository (issue 10 points 5–7, decision 0026): what a
 * facility's device publishes equals `monthlyReport` over its records, counts only; an idle
 * recompute writes nothing; changes are published in the background, coalesced; a supervisor
 * publishes nothing; and over the real sync engine a facility's report reaches a supervisor that
 * holds no patient record, while another facility's device cannot write it.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { careRecordOf } from '../../../src/app/care-records';
import { createReportService, type ReportService } from '../../../src/app/report-service';
import { patientDocId, reportDocId, type DocId } from '../../../src/crdt/doc-id';
import { readPatient } from '../../../src/crdt/patient-doc';
import { figuresOf, readReportDoc, reportMonths } from '../../../src/crdt/report-doc';
import { monthlyReport } from '../../../src/domain/care/monthly-report';
import { careFacts } from '../../../src/domain/care/record';
import type { CtcId, FacilityCode, IsoDate, IsoDateTime } from '../../../src/domain/types';
import { createMemoryNetwork } from '../../../src/sync';
import {
  aminaForm,
  createDevice,
  setUpDevice,
  setupInput,
  testClock,
  visitForm,
  type Device,
} from './harness';
import { founder, invite, inviteFor, joinWith, settle, trustedDevice } from './trusted-device';

const FAC = '01020003' as FacilityCode;
const unwrap = <T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
};

function reportsOf(device: Device, clock: ReturnType<typeof testClock>, windowMs = 20) {
  return createReportService({
    repo: device.repo,
    store: device.store,
    clock,
    profile: () => device.service.profile(),
    windowMs,
  });
}

/** Two patients of the facility: Amina (a visit and a next appointment), Juma (registered only). */
async function clinic() {
  const clock = testClock('2026-03-10T09:00:00.000Z');
  const device = createDevice(clock);
  await setUpDevice(device);
  const amina = unwrap(
    await device.service.registerPatient(aminaForm, { acknowledgeDuplicate: false }),
  );
  unwrap(await device.service.recordVisit(amina, visitForm('2026-03-10', '2026-04-07')));
  const juma = unwrap(
    await device.service.registerPatient(
      { ...aminaForm, givenName: 'Juma', sex: 'male', birthDate: '2014-06-01', phone: '' },
      { acknowledgeDuplicate: false },
    ),
  );
  return { clock, device, amina, juma };
}

/** `monthlyReport` over the records as stored, computed here without the service. */
async function expectedFigures(device: Device, ids: CtcId[], month: string, today: string) {
  const facts = [];
  for (const id of ids) {
    const record = careRecordOf(
      readPatient(await device.repo.get(patientDocId(id))),
      today as IsoDate,
    );
    if (record) facts.push(careFacts(record));
  }
  const report = monthlyReport(facts, FAC, month, { today: today as IsoDate });
  return { report, figures: figuresOf(report, 'x' as IsoDateTime, facts.length) };
}

async function storedChanges(device: Device, docId: DocId) {
  return (await device.store.listDocs()).find((info) => info.docId === docId)?.stateVector;
}

const withoutTime = <T extends { computedAt: string }>(figures: T | undefined) =>
  figures ? { ...figures, computedAt: 'x' } : undefined;

describe('publishing a facility’s monthly reports', () => {
  it('publishes the current and previous month, equal to monthlyReport, counts only', async () => {
    const { clock, device, amina, juma } = await clinic();
    const reports = reportsOf(device, clock);
    expect(await reports.publish()).toEqual(['2026-02', '2026-03']);
    const doc = await device.repo.get(reportDocId(FAC));
    const read = readReportDoc(doc);
    expect(read.skipped).toBe(0);
    const expected = await expectedFigures(device, [amina, juma], '2026-03', '2026-03-10');
    expect(withoutTime(read.months.get('2026-03'))).toEqual(withoutTime(expected.figures));
    const march = read.months.get('2026-03')!;
    expect(march.records).toBe(2);
    expect(march.end).toBe('2026-03-10');
    expect(march.indicators.new_enrolments.total).toBe(2);
    expect(march.indicators.new_enrolments.byAge).toEqual({ '<15': 1, '15+': 1 });
    expect(march.indicators.currently_on_art.total).toBe(1);
    expect(read.months.get('2026-02')?.indicators.new_enrolments.total).toBe(0);
    // No patient identifier in the document.
    expect(JSON.stringify(reportMonths(doc).toJSON())).not.toContain(amina);

    // The screen's own report has the patients behind each number, and their names.
    const local = await reports.localReport('2026-03');
    expect(local?.report.indicators.new_enrolments.total).toEqual([amina, juma].sort());
    expect(local?.names[amina]).toBe('Amina Mwakyusa');
    expect(local?.records).toBe(2);
  });

  it('an idle recompute writes nothing; a change is published again', async () => {
    const { clock, device, amina } = await clinic();
    const reports = reportsOf(device, clock);
    await reports.publish();
    const before = await storedChanges(device, reportDocId(FAC));
    let updates = 0;
    device.repo.onUpdate((docId) => {
      if (docId === reportDocId(FAC)) updates += 1;
    });
    expect(await reports.publish()).toEqual([]);
    clock.set('2026-03-10T15:00:00.000Z');
    expect(await reports.publish()).toEqual([]);
    expect(updates).toBe(0);
    expect(await storedChanges(device, reportDocId(FAC))).toEqual(before);

    // A viral-load result dated in March changes March only.
    unwrap(
      await device.service.recordResult(amina, {
        investigation: 'viral_load',
        sampleDate: '2026-03-04',
        resultDate: '2026-03-09',
        value: '400',
      }),
    );
    expect(await reports.publish()).toEqual(['2026-03']);
    const march = readReportDoc(await device.repo.get(reportDocId(FAC))).months.get('2026-03');
    expect(march?.indicators.vl_tests_done.total).toBe(1);
    expect(march?.indicators.vl_suppressed.total).toBe(1);
    expect(updates).toBe(1);
  });

  it('publishes in the background after start-up and after changes, coalesced', async () => {
    const { clock, device } = await clinic();
    const reports = reportsOf(device, clock, 40);
    let written = 0;
    device.repo.onUpdate((docId) => {
      if (docId === reportDocId(FAC)) written += 1;
    });
    reports.start();
    await waitFor(() => written === 1);
    // Three registrations in a burst: one more publication (the first at once), then one at the
    // end of the window at most, never one per change.
    for (const name of ['Asha', 'Baraka', 'Chausiku']) {
      unwrap(
        await device.service.registerPatient(
          { ...aminaForm, givenName: name, phone: '' },
          { acknowledgeDuplicate: true },
        ),
      );
    }
    await waitFor(async () => {
      const march = readReportDoc(await device.repo.get(reportDocId(FAC))).months.get('2026-03');
      return march?.indicators.new_enrolments.total === 5;
    });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(written).toBeGreaterThanOrEqual(2);
    expect(written).toBeLessThanOrEqual(3);
    reports.stop();
  });

  it('a supervisor publishes nothing and has no local report', async () => {
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const device = createDevice(clock);
    unwrap(
      await device.service.setupSupervisor({
        userName: 'Mwanaidi Juma',
        language: 'en',
        scopeName: 'Kinondoni',
      }),
    );
    const reports = reportsOf(device, clock);
    expect(await reports.publish()).toEqual([]);
    expect(await reports.localReport('2026-03')).toBeUndefined();
    expect((await device.store.listDocs('report')).length).toBe(0);
  });

  it('RP8 keeps the "data is old" threshold as a device setting, refused out of range', async () => {
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const device = createDevice(clock);
    const reports = reportsOf(device, clock);
    expect(await reports.staleAfterDays()).toBe(7);
    expect(await reports.setStaleAfterDays('0')).toEqual({
      ok: false,
      error: { type: 'out-of-range', min: 1, max: 90 },
    });
    expect(await reports.setStaleAfterDays('seven')).toEqual({
      ok: false,
      error: { type: 'not-a-number' },
    });
    expect(await reports.staleAfterDays()).toBe(7);
    expect(await reports.setStaleAfterDays(' 14 ')).toEqual({ ok: true, value: 14 });
    expect(await reports.staleAfterDays()).toBe(14);
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('report documents over the sync engine (RP7, WR27, WR28)', () => {
  it('a facility’s report reaches a supervisor who holds no patient record; another facility cannot write it', async () => {
    const net = createMemoryNetwork({ seed: 26, delivery: 'microtask' });
    const a = await founder(net, 'a');
    const b = await trustedDevice(net, 'b');
    await joinWith(b, await invite(a, '01020004', 'Sinza CTC'));
    net.link('a', 'b');
    await settle(net, a, b);
    const invited = await a.network.createInvite({
      ...inviteFor('', ''),
      role: 'supervisor',
      scopeDistrict: 'Kinondoni',
    });
    if (!invited.ok) throw new Error('invite');
    const s = await trustedDevice(net, 's');
    unwrap(
      await s.service.setupSupervisor({
        userName: 'Mwanaidi',
        language: 'en',
        scopeName: 'Kinondoni',
      }),
    );
    unwrap(await s.network.joinWithInvite(invited.value.link));
    // S is admitted by A, then meets only B.
    net.link('s', 'a');
    await settle(net, a, b, s);
    net.unlink('s', 'a');
    net.link('s', 'b');
    await settle(net, a, b, s);
    expect(s.network.status().trust).toMatchObject({ kind: 'member', role: 'supervisor' });

    const amina = unwrap(
      await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false }),
    );
    unwrap(await a.service.recordVisit(amina, visitForm('2026-03-10', '2026-04-07')));
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const service = (d: typeof a): ReportService =>
      createReportService({
        repo: d.repo,
        store: d.store,
        clock,
        profile: () => d.service.profile(),
      });
    expect(await service(a).publish()).toEqual(['2026-02', '2026-03']);
    expect(await service(s).publish()).toEqual([]);
    await settle(net, a, b, s);
    const docId = reportDocId(FAC);
    const published = readReportDoc(await a.repo.get(docId)).months.get('2026-03');
    // S met only B: the report came relayed, signed by A, and S holds no patient record.
    const atS = await service(s).published([FAC]);
    expect(atS[0]?.held).toBe(true);
    expect(atS[0]?.months.get('2026-03')).toEqual(published);
    expect(await s.store.listDocs('patient')).toEqual([]);
    // B, another facility's device, sees the figures too.
    expect(readReportDoc(await b.repo.get(docId)).months.get('2026-03')).toEqual(published);

    // Modified software at B writes A's report, and its own with CTC IDs and absurd counts.
    const before = (await a.store.loadChanges(docId)).map((c) => c.id);
    await b.repo.write(docId, (d) => {
      const forged = structuredClone(reportMonths(d).get('2026-03') as Record<string, unknown>);
      (forged.indicators as Record<string, { total: number }>).ltfu!.total = 0;
      reportMonths(d).set('2026-03', { ...forged, records: 999 });
    });
    const own = reportDocId('01020004' as FacilityCode);
    await b.repo.write(own, (d) => {
      d.getMap('meta').set('kind', 'report');
      d.getMap('meta').set('facilityCode', '01020004');
      reportMonths(d).set('2026-03', { layout: 1, patients: [amina] });
    });
    await settle(net, a, b, s);
    const refusals = (docOf: DocId) =>
      a.log
        .filter((e) => e.event === 'sync.update-refused' && e.details.docId === docOf)
        .map((e) => `${String(e.details.reason)} ${String(e.details.detail)}`);
    expect(refusals(docId)).toEqual([expect.stringMatching(/^write-rule WR28 foreign-report/)]);
    expect((await a.store.loadChanges(docId)).map((c) => c.id)).toEqual(before);
    expect(readReportDoc(await a.repo.get(docId)).months.get('2026-03')).toEqual(published);
    expect(refusals(own)).toEqual([expect.stringMatching(/^report-figures months\.2026-03/)]);
    expect(readReportDoc(await a.repo.get(own)).months.size).toBe(0);
    // The supervisor's copy is untouched as well.
    const sDoc = new Y.Doc();
    Y.applyUpdate(sDoc, Y.encodeStateAsUpdate(await s.repo.get(docId)));
    expect(readReportDoc(sDoc).months.get('2026-03')).toEqual(published);
  });

  it('RP7 a relay carries a report it never writes to a supervisor that meets only the relay', async () => {
    const net = createMemoryNetwork({ seed: 27, delivery: 'microtask' });
    const a = await founder(net, 'a');
    const relayInvite = await a.network.createInvite({ ...inviteFor('', ''), role: 'relay' });
    const supervisorInvite = await a.network.createInvite({
      ...inviteFor('', ''),
      role: 'supervisor',
      scopeDistrict: 'Kinondoni',
    });
    if (!relayInvite.ok || !supervisorInvite.ok) throw new Error('invite');
    const r = await trustedDevice(net, 'r');
    unwrap(
      await r.service.setupDevice({ ...setupInput, facilityCode: '01020009', userName: 'Relay' }),
    );
    unwrap(await r.network.joinWithInvite(relayInvite.value.link));
    const s = await trustedDevice(net, 's');
    unwrap(
      await s.service.setupSupervisor({
        userName: 'Mwanaidi',
        language: 'en',
        scopeName: 'Kinondoni',
      }),
    );
    unwrap(await s.network.joinWithInvite(supervisorInvite.value.link));
    net.link('a', 'r');
    net.link('a', 's');
    await settle(net, a, r, s);
    net.unlink('a', 's');
    expect(r.network.settings()?.relay).toBe(true);

    unwrap(await a.service.registerPatient(aminaForm, { acknowledgeDuplicate: false }));
    const clock = testClock('2026-03-10T09:00:00.000Z');
    const service = (d: typeof a): ReportService =>
      createReportService({
        repo: d.repo,
        store: d.store,
        clock,
        profile: () => d.service.profile(),
        writesNothing: () => d.network.settings()?.relay ?? false,
      });
    expect(await service(a).publish()).toEqual(['2026-02', '2026-03']);
    // The relay has a facility profile of its own, and still publishes nothing (WR2).
    expect(await service(r).publish()).toEqual([]);
    await settle(net, a, r);
    net.unlink('a', 'r');
    net.link('r', 's');
    await settle(net, r, s);
    const atS = await service(s).published([FAC]);
    expect(atS[0]?.months.get('2026-03')?.indicators.new_enrolments.total).toBe(1);
    expect(await r.store.listDocs('report')).toHaveLength(1);
    expect(await s.store.listDocs('patient')).toEqual([]);
  });
});
