/**
 * How much the device lets us store, and asking it not to evict us. Browsers without the
 * Storage API (or that refuse it, e.g. in private windows) get zeros and `persisted: false`
 * rather than an exception: the app shows "unknown", it does not crash.
 */
import type { StorageUsage } from '../crdt/ports';

/** The slice of `navigator` these helpers read, so tests can pass their own. */
export interface StorageNavigator {
  storage?: Partial<Pick<StorageManager, 'estimate' | 'persisted' | 'persist'>>;
}

function defaultNavigator(): StorageNavigator | undefined {
  return typeof navigator === 'undefined' ? undefined : navigator;
}

async function persistedNow(manager: StorageNavigator['storage']): Promise<boolean> {
  if (!manager?.persisted) return false;
  try {
    return (await manager.persisted.call(manager)) === true;
  } catch (error) {
    console.warn('navigator.storage.persisted() failed', error);
    return false;
  }
}

export async function storageUsage(
  nav: StorageNavigator | undefined = defaultNavigator(),
): Promise<StorageUsage> {
  const manager = nav?.storage;
  let usageBytes = 0;
  let quotaBytes = 0;
  if (manager?.estimate) {
    try {
      const estimate = await manager.estimate.call(manager);
      usageBytes = finiteOrZero(estimate.usage);
      quotaBytes = finiteOrZero(estimate.quota);
    } catch (error) {
      console.warn('navigator.storage.estimate() failed', error);
    }
  }
  return { usageBytes, quotaBytes, persisted: await persistedNow(manager) };
}

/**
 * Asks the browser to keep our data under storage pressure. Returns whether it is now
 * persistent; asking again after a grant is harmless.
 */
export async function requestPersistence(
  nav: StorageNavigator | undefined = defaultNavigator(),
): Promise<boolean> {
  const manager = nav?.storage;
  if (await persistedNow(manager)) return true;
  if (!manager?.persist) return false;
  try {
    return (await manager.persist.call(manager)) === true;
  } catch (error) {
    console.warn('navigator.storage.persist() failed', error);
    return false;
  }
}

function finiteOrZero(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}
