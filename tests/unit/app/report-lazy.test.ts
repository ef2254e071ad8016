/**
 * The report service as create-app holds it (report-lazy.ts): nothing of the report code is
 * fetched until the first call (the first screen's budget, issue 9); `start()` is that call, and a
 * `stop()` that comes first keeps the background work from starting once the code arrives.
 */
import { describe, expect, it } from 'vitest';
import { lazyReportService } from '../../../src/app/report-lazy';
import type { createReportService, ReportService } from '../../../src/app/report-service';
import { createDevice, setUpDevice, testClock } from './harness';

function counted(real: Partial<ReportService>) {
  const calls: string[] = [];
  let loads = 0;
  const load = () => {
    loads += 1;
    const create = (() => ({
      start: () => calls.push('start'),
      stop: () => calls.push('stop'),
      ...real,
    })) as unknown as typeof createReportService;
    return Promise.resolve({ createReportService: create });
  };
  return { calls, loads: () => loads, load };
}

const deps = () => {
  const device = createDevice();
  return {
    repo: device.repo,
    store: device.store,
    clock: testClock('2026-03-10T09:00:00.000Z'),
    profile: () => device.service.profile(),
  };
};

describe('the report service, fetched on first use', () => {
  it('fetches nothing until called, then once', async () => {
    const fake = counted({ staleAfterDays: () => Promise.resolve(9) });
    const reports = lazyReportService(deps(), fake.load);
    expect(fake.loads()).toBe(0);
    expect(await reports.staleAfterDays()).toBe(9);
    reports.start();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fake.loads()).toBe(1);
    expect(fake.calls).toEqual(['start']);
  });

  it('does not start work a stop came before', async () => {
    const fake = counted({});
    const reports = lazyReportService(deps(), fake.load);
    reports.start();
    reports.stop();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fake.calls).toEqual(['stop']);
  });

  it('publishes through the real service once loaded', async () => {
    const device = createDevice();
    await setUpDevice(device);
    const reports = lazyReportService(
      {
        repo: device.repo,
        store: device.store,
        clock: testClock('2026-03-10T09:00:00.000Z'),
        profile: () => device.service.profile(),
      },
      () => import('../../../src/app/report-service'),
    );
    expect(await reports.publish()).toEqual(['2026-02', '2026-03']);
    expect(await reports.publish()).toEqual([]);
  });
});
