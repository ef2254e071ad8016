/**
 * Protocol SR1 (issue 9 point 4): a burst of stored documents (a catch-up) refreshes the screens
 * a bounded number of times, and the last refresh shows the last state.
 */
import * as Y from 'yjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { coalesce, refreshWindowMs } from '../../../src/app/change-coalescer';
import { aminaForm, createDevice, setUpDevice } from './harness';

/** A name part per number, letters only (names take no digits). */
const letters = (n: number): string =>
  String.fromCharCode(97 + (n % 26)) + String.fromCharCode(97 + Math.floor(n / 26));

afterEach(() => {
  vi.useRealTimers();
});

describe('coalesced refresh (SR1)', () => {
  it('passes a lone change on at once, and a burst as one call per window, the last after it', () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    let state = 0;
    const coalescer = coalesce(() => calls.push(state));
    state = 1;
    coalescer.notify();
    expect(calls).toEqual([1]);
    vi.advanceTimersByTime(refreshWindowMs * 3);
    expect(calls).toEqual([1]);

    // 1,000 changes, one a millisecond: about ten windows' worth.
    calls.length = 0;
    const burst = 1000;
    for (let n = 1; n <= burst; n++) {
      state = n;
      coalescer.notify();
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(refreshWindowMs);
    expect(calls.length).toBeLessThanOrEqual(1 + Math.ceil(burst / refreshWindowMs) + 1);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.at(-1)).toBe(burst);

    coalescer.notify();
    coalescer.notify();
    coalescer.dispose();
    vi.advanceTimersByTime(refreshWindowMs);
    expect(calls.at(-1)).toBe(burst);
  });

  it('a device receiving 30 records refreshes its lists twice, ending with all 30', async () => {
    const a = createDevice(undefined, 'a');
    const b = createDevice(undefined, 'b');
    await setUpDevice(a, { deviceSlot: '1' });
    await setUpDevice(b, { deviceSlot: '2' });
    const count = 30;
    for (let n = 0; n < count; n++) {
      const registered = await a.service.registerPatient(
        { ...aminaForm, givenName: `Zawadi${letters(n)}`, phone: '' },
        { acknowledgeDuplicate: true },
      );
      if (!registered.ok) throw new Error(JSON.stringify(registered.error));
    }
    const docIds = (await a.repo.storedDocIds()).filter((id) => id.startsWith('patient:'));
    expect(docIds).toHaveLength(count);

    // The window the setup's own writes opened closes first (real time), then only timers are
    // faked: the stores' promises run as usual.
    await new Promise((resolve) => setTimeout(resolve, refreshWindowMs * 2));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const shown: Promise<number>[] = [];
    b.service.onChange(() => {
      shown.push(b.service.search('zawadi').then((hits) => hits.length));
    });
    // The catch-up: every record stored on B, one after another, in less than a window.
    for (const docId of docIds) {
      await b.repo.applyRemote(docId, Y.encodeStateAsUpdate(await a.repo.get(docId)), 'peer');
    }
    expect(shown).toHaveLength(1);
    vi.advanceTimersByTime(refreshWindowMs);
    expect(shown).toHaveLength(2);
    expect(await shown.at(-1)).toBe(count);
  });
});
