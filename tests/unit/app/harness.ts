import type { DocId } from '../../../src/crdt/doc-id';
import type { RemoteOutcome } from '../../../src/crdt/policy/refusal';
import type { PeerId, ReplicaHost } from '../../../src/sync';
import { DocumentRepository } from '../../../src/crdt/repository';
import { createMemoryStore, type MemoryStore } from '../../../src/storage/memory-store';
import { createClinicService } from '../../../src/app/clinic-service';
import { sequentialIds } from '../../../src/app/ids';
import type { ClinicService, DeviceSetupInput } from '../../../src/app/views';

/** A mutable clock: tests move "today" forward. */
export function testClock(iso: string) {
  let now = Date.parse(iso);
  return {
    now: () => now,
    set(next: string) {
      now = Date.parse(next);
    },
  };
}

export interface Device {
  service: ClinicService;
  store: MemoryStore;
  repo: DocumentRepository;
}

export function createDevice(clock = testClock('2026-03-10T09:00:00.000Z'), name = 'dev'): Device {
  const store = createMemoryStore({ clock });
  const repo = new DocumentRepository({ store, clock });
  const service = createClinicService({
    repo,
    store,
    clock,
    ids: sequentialIds(name),
    storage: {
      usage: () => Promise.resolve({ usageBytes: 1024, quotaBytes: 1024 * 1024, persisted: false }),
      requestPersistence: () => Promise.resolve(true),
    },
  });
  return { service, store, repo };
}

export const setupInput: DeviceSetupInput = {
  facilityName: 'Mbezi CTC',
  facilityCode: '01020003',
  district: 'Kinondoni',
  region: 'Dar es Salaam',
  userName: 'Neema Mushi',
  role: 'clinician',
  deviceSlot: '1',
  language: 'en',
};

export const aminaForm = {
  givenName: 'Amina',
  familyName: 'Mwakyusa',
  sex: 'female',
  birthDate: '1990-04-12',
  birthDateEstimated: false,
  phone: '+255 712 345 678',
};

export const visitForm = (date: string, next: string, extra: Record<string, unknown> = {}) => ({
  date,
  visitType: 'clinic',
  tbScreen: 'negative',
  symptoms: [],
  arvStatus: 'continue',
  regimen: '1r-A',
  daysSupplied: '30',
  otherMedicines: [],
  investigationsOrdered: [],
  nextAppointment: next,
  ...extra,
});

export async function setUpDevice(device: Device, overrides: Partial<DeviceSetupInput> = {}) {
  const result = await device.service.setupDevice({ ...setupInput, ...overrides });
  if (!result.ok) throw new Error(`setup failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

/** One plain (unsigned) change from a peer through a host, as the engine hands it over. */
export async function applyOne(
  host: Pick<ReplicaHost, 'applyRemoteChanges'>,
  docId: DocId,
  update: Uint8Array,
  from = 'peer' as PeerId,
): Promise<RemoteOutcome> {
  const [outcome] = await host.applyRemoteChanges(docId, [{ bytes: update, update }], from);
  return outcome!;
}
