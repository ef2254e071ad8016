/**
 * Random operations on a real-stack world: clinical writes through each tab's `ClinicService`,
 * tab closes and openings, restarts, "Work offline", partitions, heals and frame delivery.
 * Every write the service resolves as saved goes into the ledger the invariants check.
 */
import fc from 'fast-check';
import type { CtcId, EntryId } from '../../../src/domain/types';
import { aminaForm, visitForm } from '../app/harness';
import type { Saved } from './invariants';
import type { Device, Tab, World } from './world';

type WriteKind = 'visit' | 'result' | 'status' | 'edit' | 'correct';

export type WriteOp =
  | { type: 'register'; device: number; tab: number; name: number }
  | { type: WriteKind; device: number; tab: number; pick: number };

export type Op =
  | WriteOp
  /** Two writes in two tabs (or devices) at the same time. */
  | { type: 'together'; first: WriteOp; second: WriteOp }
  /**
   * Two tabs of one device write to the same record at the same time; with `thenClose` the
   * second tab is closed right after its save (design §1.5: a saved write survives the close).
   */
  | { type: 'twoTabs'; device: number; kind: WriteKind; pick: number; thenClose: boolean }
  | { type: 'request'; device: number; tab: number; pick: number }
  | { type: 'openTab' | 'closeTab' | 'restart' | 'offline' | 'online'; device: number; tab: number }
  | { type: 'partition'; groups: number[] }
  | { type: 'heal' | 'reconnect' }
  | { type: 'deliver'; steps: number };

const NAMES = ['Amina', 'Juma', 'Neema', 'Baraka', 'Zawadi', 'Rehema'] as const;
export const MAX_TABS = 3;

export function writeOpArb(devices: number): fc.Arbitrary<WriteOp> {
  const device = fc.nat(devices - 1);
  const tab = fc.nat(MAX_TABS - 1);
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        type: fc.constant('register' as const),
        device,
        tab,
        name: fc.nat(NAMES.length - 1),
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        type: fc.constantFrom<WriteKind>('visit', 'result', 'status', 'edit', 'correct'),
        device,
        tab,
        pick: fc.nat(),
      }),
    },
  );
}

export function opArb(devices: number): fc.Arbitrary<Op> {
  const device = fc.nat(devices - 1);
  const tab = fc.nat(MAX_TABS - 1);
  const write = writeOpArb(devices);
  return fc.oneof(
    { weight: 8, arbitrary: write },
    {
      weight: 2,
      arbitrary: fc.record({ type: fc.constant('together' as const), first: write, second: write }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('twoTabs' as const),
        device,
        kind: fc.constantFrom<WriteKind>('visit', 'result', 'status', 'edit', 'correct'),
        pick: fc.nat(),
        thenClose: fc.boolean(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constant('request' as const), device, tab, pick: fc.nat() }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constantFrom('openTab' as const, 'closeTab' as const, 'restart' as const),
        device,
        tab,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constantFrom('offline' as const, 'online' as const),
        device,
        tab,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('partition' as const),
        groups: fc.array(fc.nat(2), { minLength: devices, maxLength: devices }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constantFrom('heal' as const, 'reconnect' as const) }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        type: fc.constant('deliver' as const),
        steps: fc.integer({ min: 1, max: 30 }),
      }),
    },
  );
}

/** The running state of one world: registered patients and the ledger of saved writes. */
export interface Run {
  world: World;
  patients: CtcId[];
  saved: Saved[];
  /** Record requests left running (they end by themselves; awaited before checking). */
  requests: Promise<unknown>[];
  /** Writes the service did not save, as `tab kind: error` (validation refusals included). */
  unsaved: string[];
}

/**
 * A recent patient: clinics work on a few records at a time, and writes that meet on one record
 * are where tabs and devices race.
 */
const recentPatient = (run: Run, pick: number): CtcId | undefined =>
  run.patients[run.patients.length - 1 - (pick % Math.min(3, Math.max(1, run.patients.length)))];

const tabOf = (device: Device | undefined, pick: number): Tab | undefined =>
  device && device.tabs.length > 0 ? device.tabs[pick % device.tabs.length] : undefined;

async function runWrite(run: Run, op: WriteOp): Promise<void> {
  const tab = tabOf(run.world.devices[op.device], op.tab);
  if (!tab) return;
  const { service } = tab;
  if (op.type === 'register') {
    const name = NAMES[op.name] as string;
    const result = await service.registerPatient(
      { ...aminaForm, givenName: name },
      { acknowledgeDuplicate: true },
    );
    if (result.ok) {
      run.patients.push(result.value);
      run.saved.push({ tab: tab.id, ctcId: result.value, kind: 'registration' });
    } else run.unsaved.push(`${tab.id} registration: ${JSON.stringify(result.error)}`);
    return;
  }
  const ctcId = recentPatient(run, op.pick);
  if (ctcId === undefined) return;
  const note = (
    kind: Saved['kind'],
    result: { ok: true; value: EntryId | null } | { ok: false },
  ) => {
    if (result.ok && result.value !== null)
      run.saved.push({ tab: tab.id, ctcId, kind, entryId: result.value });
  };
  switch (op.type) {
    case 'visit':
      note('visit', await service.recordVisit(ctcId, visitForm('2026-03-10', '2026-04-09')));
      break;
    case 'correct': {
      const earlier = run.saved.find((s) => s.ctcId === ctcId && s.kind === 'visit');
      if (!earlier?.entryId) break;
      note(
        'correction',
        await service.recordVisit(
          ctcId,
          visitForm('2026-03-09', '2026-04-08'),
          earlier.entryId as EntryId,
        ),
      );
      break;
    }
    case 'result':
      note(
        'result',
        await service.recordResult(ctcId, {
          investigation: 'viral_load',
          sampleDate: '2026-03-01',
          resultDate: '2026-03-09',
          value: String(40 + (op.pick % 500)),
        }),
      );
      break;
    case 'status':
      note(
        'status',
        await service.changeStatus(ctcId, {
          status: 'transferred_out',
          date: '2026-03-10',
          toFacility: 'Temeke CTC',
        }),
      );
      break;
    case 'edit':
      note(
        'demographics',
        await service.editDemographics(ctcId, {
          ...aminaForm,
          phone: `+255 71${op.pick % 10} ${String(100 + (op.pick % 900))} 678`,
        }),
      );
      break;
  }
}

export async function runOp(run: Run, op: Op): Promise<void> {
  const { world } = run;
  switch (op.type) {
    case 'register':
    case 'visit':
    case 'result':
    case 'status':
    case 'edit':
    case 'correct':
      return runWrite(run, op);
    case 'together':
      await Promise.all([runWrite(run, op.first), runWrite(run, op.second)]);
      return;
    case 'twoTabs': {
      const write = { device: op.device, type: op.kind, pick: op.pick };
      await Promise.all([runWrite(run, { ...write, tab: 0 }), runWrite(run, { ...write, tab: 1 })]);
      const device = world.devices[op.device];
      const second = device?.tabs[1];
      if (op.thenClose && device && second && device.tabs.length > 1) await world.closeTab(second);
      return;
    }
    case 'request': {
      const tab = tabOf(world.devices[op.device], op.tab);
      const ctcId = recentPatient(run, op.pick);
      if (tab && ctcId !== undefined) run.requests.push(tab.network.requestRecord(ctcId));
      return;
    }
    case 'openTab': {
      const device = world.devices[op.device];
      if (device && device.tabs.length < MAX_TABS) await world.openTab(device);
      return;
    }
    case 'closeTab': {
      const device = world.devices[op.device];
      const tab = tabOf(device, op.tab);
      if (device && tab && device.tabs.length > 1) await world.closeTab(tab);
      return;
    }
    case 'restart': {
      const device = world.devices[op.device];
      if (device) await world.restart(device);
      return;
    }
    case 'offline':
    case 'online': {
      const device = world.devices[op.device];
      if (device) world.setWorkOffline(device, op.type === 'offline');
      return;
    }
    case 'partition':
      world.partition([0, 1, 2].map((g) => world.devices.filter((_d, i) => op.groups[i] === g)));
      return;
    case 'heal':
      world.heal();
      return;
    case 'reconnect':
      world.reconnect();
      return;
    case 'deliver':
      await world.deliver(op.steps);
      return;
  }
}
