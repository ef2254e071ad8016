/**
 * The composition root: the only place that picks concrete adapters and wires them together.
 */
import { systemClock, type Clock } from '../lib/deps';
import { networkDocId } from '../crdt/doc-id';
import { DocumentRepository } from '../crdt/repository';
import { createDexieStore } from '../storage/dexie-store';
import { requestPersistence, storageUsage } from '../storage/quota';
import { createClinicService, profileKey } from './clinic-service';
import { randomIds, type IdSource } from './ids';
import type { ClinicService, DeviceProfile } from './views';

export interface ClinicApp {
  service: ClinicService;
  repo: DocumentRepository;
  close(): void | Promise<void>;
}

export interface ClinicAppOptions {
  databaseName?: string;
  clock?: Clock;
  ids?: IdSource;
}

export async function createClinicApp(options: ClinicAppOptions = {}): Promise<ClinicApp> {
  const clock = options.clock ?? systemClock;
  const store = createDexieStore({ name: options.databaseName ?? 'pamoja', clock });
  await store.open();
  const repo = new DocumentRepository({ store, clock });
  const profile = await store.getMeta<DeviceProfile>(profileKey);
  // The network document and registers stay open: they are small and read on every screen.
  await repo.get(networkDocId);
  const service = createClinicService({
    repo,
    store,
    clock,
    ids: options.ids ?? randomIds,
    storage: { usage: () => storageUsage(), requestPersistence: () => requestPersistence() },
    ...(profile ? { profile } : {}),
  });
  return { service, repo, close: () => store.close() };
}
