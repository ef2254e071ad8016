import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  requestPersistence,
  storageUsage,
  type StorageNavigator,
} from '../../../src/storage/quota';

const resolved =
  <T>(value: T) =>
  () =>
    Promise.resolve(value);
const rejected = (error: Error) => () => Promise.reject(error);

describe('storage usage and persistence', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reports usage, quota and whether storage is persistent', async () => {
    const nav: StorageNavigator = {
      storage: {
        estimate: resolved({ usage: 1_500_000, quota: 80_000_000 }),
        persisted: resolved(true),
      },
    };
    expect(await storageUsage(nav)).toEqual({
      usageBytes: 1_500_000,
      quotaBytes: 80_000_000,
      persisted: true,
    });
  });

  it('reports zeros and not persistent where the Storage API is missing or fails', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const empty = { usageBytes: 0, quotaBytes: 0, persisted: false };
    expect(await storageUsage({})).toEqual(empty);
    expect(await storageUsage(undefined)).toEqual(empty);
    expect(
      await storageUsage({
        storage: {
          estimate: rejected(new DOMException('denied', 'SecurityError')),
          persisted: rejected(new Error('no')),
        },
      }),
    ).toEqual(empty);
    expect(await storageUsage({ storage: { estimate: resolved({ usage: Number.NaN }) } })).toEqual(
      empty,
    );
  });

  it('asks for persistence only when not already persistent', async () => {
    const persist = vi.fn(resolved(true));
    expect(await requestPersistence({ storage: { persisted: resolved(false), persist } })).toBe(
      true,
    );
    expect(persist).toHaveBeenCalledTimes(1);

    const untouched = vi.fn(resolved(false));
    expect(
      await requestPersistence({ storage: { persisted: resolved(true), persist: untouched } }),
    ).toBe(true);
    expect(untouched).not.toHaveBeenCalled();
  });

  it('reports not persistent when the browser refuses or cannot be asked', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await requestPersistence({ storage: { persist: resolved(false) } })).toBe(false);
    expect(await requestPersistence({})).toBe(false);
    expect(await requestPersistence({ storage: { persist: rejected(new Error('denied')) } })).toBe(
      false,
    );
  });

  it('calls the Storage API with the manager as `this`, as browsers require', async () => {
    const manager = {
      quota: 5,
      estimate(this: { quota: number }) {
        return Promise.resolve({ usage: 1, quota: this.quota });
      },
    };
    expect((await storageUsage({ storage: manager })).quotaBytes).toBe(5);
  });
});
