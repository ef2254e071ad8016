/**
 * Web Locks span every tab of this origin (one device). Absent outside browsers, e.g. in Node
 * tests, where callers fall back to in-process ordering.
 */
interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export function webLocks(): LockManagerLike | undefined {
  return (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
}
