/**
 * Protocol SL1 (issue 9 point 4): a catch-up never holds the main thread. A session handles its
 * messages one after another on a promise chain; when the host answers from memory (or from
 * results already at hand, such as signatures verified ahead, SC23), every step resolves as a
 * microtask and hundreds of documents are stored in one task, so the screen freezes for the
 * whole catch-up. Before each message the session asks the engine's one slicer (the main thread
 * is one, whatever the number of peers) whether the current task has run for `sliceMs`; if so it
 * waits for `yieldTask` (in a browser `scheduler.yield()`, which lets input and rendering run
 * first) and a new slice begins. A task then lasts at most `sliceMs` plus one message.
 */

/** 40 ms of a phone's time: with one message after it, a task stays far under 200 ms at 4×. */
export const defaultSliceMs = 40;

export interface TaskSlicer {
  /** Undefined while the slice has time left; otherwise a promise that resolves in a later task. */
  due(): Promise<void> | undefined;
}

export interface TaskSlicerOptions {
  sliceMs: number;
  /** Monotonic milliseconds. */
  now: () => number;
  /** Resolves in a later task, after the event loop has run what waits (input, rendering). */
  yieldTask: () => Promise<void>;
  /**
   * Runs `callback` in a later task: a slice opened by one task ends with it, so a message that
   * arrives after a quiet spell does not inherit the time of an earlier slice.
   */
  nextTask: (callback: () => void) => void;
}

export function createTaskSlicer(options: TaskSlicerOptions): TaskSlicer {
  let sliceStart: number | undefined;
  let slice = 0;
  const open = () => {
    sliceStart = options.now();
    const opened = ++slice;
    options.nextTask(() => {
      if (slice === opened) sliceStart = undefined;
    });
  };
  return {
    due() {
      if (sliceStart === undefined) {
        open();
        return undefined;
      }
      if (options.now() - sliceStart < options.sliceMs) return undefined;
      sliceStart = undefined;
      slice++;
      // The task that resumes after the yield is a new slice from its first message on.
      return options.yieldTask().then(open);
    },
  };
}

/** Never yields: where no scheduler is known (Node: tests, the signaling box) or asked for. */
export const unslicedTasks: TaskSlicer = { due: () => undefined };

interface SchedulerLike {
  yield(): Promise<void>;
}

/**
 * The browser's `scheduler.yield()` where there is one (Chromium 129+), else a zero-delay
 * timeout; undefined outside a browser (no `window`), so Node tests keep their exact schedules.
 */
export function browserYield(): (() => Promise<void>) | undefined {
  const global = globalThis as { scheduler?: Partial<SchedulerLike>; window?: unknown };
  if (global.window === undefined) return undefined;
  const scheduler = global.scheduler;
  if (scheduler && typeof scheduler.yield === 'function') {
    const yieldNow = scheduler.yield.bind(scheduler);
    return () => yieldNow();
  }
  return () => new Promise<void>((resolve) => setTimeout(resolve, 0));
}
