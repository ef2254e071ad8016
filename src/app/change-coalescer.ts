/**
 * Screens refresh coalesced (issue 9 point 4, protocol SR1). A catch-up stores hundreds of
 * documents a second, each announced on its own (`repo.onDocChanged`); a screen that re-read its
 * list for every one would spend the whole catch-up re-reading. The first change of a quiet
 * spell is passed on at once (a single save or arrival shows with no delay); the changes that
 * follow within `windowMs` become one call at the end of the window, and so on while they keep
 * coming. So a burst of N changes over T ms costs at most 1 + ceil(T / windowMs) refreshes, and
 * the last one comes after the last change: the screen ends on the latest state.
 */

/** How long changes gather into one refresh while they keep coming. */
export const refreshWindowMs = 100;

export interface Coalescer {
  /** Something changed: the callback runs now, or once at the end of the current window. */
  notify(): void;
  /** No further calls, not even a pending one. */
  dispose(): void;
}

export function coalesce(fire: () => void, windowMs: number = refreshWindowMs): Coalescer {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = false;
  let disposed = false;
  const run = () => {
    try {
      fire();
    } catch (error) {
      // One failing listener must not stop the windows that follow (and later refreshes).
      console.error('Change listener failed', error);
    }
  };
  const closeWindow = () => {
    timer = undefined;
    if (!pending || disposed) return;
    pending = false;
    run();
    timer = setTimeout(closeWindow, windowMs);
  };
  return {
    notify() {
      if (disposed) return;
      if (timer !== undefined) {
        pending = true;
        return;
      }
      run();
      timer = setTimeout(closeWindow, windowMs);
    },
    dispose() {
      disposed = true;
      pending = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
