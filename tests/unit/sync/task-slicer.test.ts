/**
 * Protocol SL1 (issue 9 point 4): a catch-up handled in one long task gives the event loop a
 * turn every `sliceMs`, so the receiving screen stays responsive.
 */
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../src/lib/deps';
import { createSyncEngine } from '../../../src/sync/engine';
import { createMemoryHost } from '../../../src/sync/memory-host';
import { createTaskSlicer } from '../../../src/sync/task-slicer';
import { createMemoryNetwork } from '../../../src/sync/transports/memory';
import { FAC_A, captureLogger, manualTimers, patient, snapshotOf, writeVisit } from './harness';

describe('task slicer (SL1)', () => {
  it('yields once a task has run for sliceMs, so no stretch between yields is longer than a slice and one message', async () => {
    let now = 0;
    const stretches: number[] = [];
    let since = 0;
    const slicer = createTaskSlicer({
      sliceMs: 40,
      now: () => now,
      yieldTask: () => {
        stretches.push(now - since);
        return Promise.resolve();
      },
      // The whole run is one task: the marker of a task's end never comes.
      nextTask: () => undefined,
    });
    for (let message = 0; message < 100; message++) {
      const pause = slicer.due();
      if (pause) {
        await pause;
        since = now;
      }
      now += 30; // handling one message
    }
    expect(stretches.length).toBeGreaterThanOrEqual(100 / 3);
    expect(Math.max(...stretches)).toBeLessThanOrEqual(40 + 30);
  });

  it('a slice ends with its task: a message after a quiet spell starts a new one', () => {
    let now = 0;
    let yields = 0;
    const ends: (() => void)[] = [];
    const slicer = createTaskSlicer({
      sliceMs: 40,
      now: () => now,
      yieldTask: () => {
        yields++;
        return Promise.resolve();
      },
      nextTask: (callback) => ends.push(callback),
    });
    expect(slicer.due()).toBeUndefined();
    now += 10;
    for (const end of ends.splice(0)) end(); // the task ended
    now += 1000;
    expect(slicer.due()).toBeUndefined();
    now += 10;
    expect(slicer.due()).toBeUndefined();
    expect(yields).toBe(0);
  });

  it('the engine yields between the messages of a catch-up handled in one task, and converges', async () => {
    const net = createMemoryNetwork({ seed: 11 });
    const yields = { a: 0, b: 0 };
    const replica = (id: 'a' | 'b') => {
      const host = createMemoryHost();
      const timers = manualTimers();
      const engine = createSyncEngine({
        host,
        deviceId: `dev-${id}`,
        facility: FAC_A,
        transports: [net.node(`dev-${id}`)],
        logger: captureLogger(),
        timers,
        clock: { now: () => timers.now() },
        random: createSeededRandom(id === 'a' ? 1 : 2),
        // Every message after the first of a task is past the slice: each one yields.
        sliceMs: 0,
        yieldTask: () => {
          yields[id]++;
          return Promise.resolve();
        },
      });
      return { host, engine };
    };
    const a = replica('a');
    const b = replica('b');
    const count = 40;
    for (let n = 1; n <= count; n++) writeVisit(a.host, patient(FAC_A, n), `visit ${n}`);
    net.link('dev-a', 'dev-b');
    await net.flush();
    for (let n = 1; n <= count; n++) {
      expect(snapshotOf(b.host, patient(FAC_A, n))).toEqual(snapshotOf(a.host, patient(FAC_A, n)));
    }
    expect(yields.b).toBeGreaterThanOrEqual(count / 2);
  });
});
