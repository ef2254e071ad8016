/**
 * D16: the Yjs client id of this tab, leased from a small per-device pool kept in storage.
 *
 * Every page session used to write under a fresh random client id, so every record a device
 * wrote gained one state-vector entry per session, for ever. A tab now takes a pooled id that no
 * other open tab holds (a Web Lock per id, taken `ifAvailable`), so ids are reused across page
 * sessions and never shared by two live tabs. Reuse is safe because the repository loads a
 * document's stored state before it writes to it (D17), and a tab's writes with its id are all
 * stored before anyone sees them. Without Web Locks (old browsers, Node) the id is random, as
 * before.
 */
import type { DocumentStore } from '../crdt/ports';

/** The part of the Web Locks API the lease needs. */
export interface LeaseLocks {
  request<T>(
    name: string,
    options: { ifAvailable: true },
    callback: (lock: unknown) => Promise<T>,
  ): Promise<T>;
  request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

export interface ClientIdLease {
  readonly clientId: number;
  /** Lets another tab take the id (the page is closing). */
  release(): void;
}

export const clientIdPoolKey = 'client-id-pool';
const poolLockName = 'pamoja-client-id-pool';
const idLockName = (id: number) => `pamoja-client-id-${id}`;
/** More tabs than this at once is unusual; the rest get random ids, as before. */
export const defaultPoolSize = 8;

export interface LeaseDeps {
  store: Pick<DocumentStore, 'getMeta' | 'setMeta'>;
  locks: LeaseLocks | undefined;
  /** A float in [0, 1); injected so tests are deterministic. */
  random: () => number;
  poolSize?: number;
}

const randomClientId = (random: () => number) => 1 + Math.floor(random() * 0xfffffffe);

export function browserLeaseLocks(): LeaseLocks | undefined {
  return (globalThis.navigator as { locks?: LeaseLocks } | undefined)?.locks;
}

export async function leaseClientId(deps: LeaseDeps): Promise<ClientIdLease> {
  const { locks, random } = deps;
  if (!locks) return { clientId: randomClientId(random), release: () => undefined };
  const poolSize = deps.poolSize ?? defaultPoolSize;

  /** Takes the id's lock if no tab holds it; holds it until `release`. */
  const tryHold = (id: number): Promise<(() => void) | undefined> =>
    new Promise((tried) => {
      void locks
        .request(idLockName(id), { ifAvailable: true }, (lock) => {
          if (!lock) {
            tried(undefined);
            return Promise.resolve();
          }
          return new Promise<void>((release) => tried(release));
        })
        .catch(() => tried(undefined));
    });

  // One tab at a time reads and extends the pool, so two tabs never add or take the same id.
  const leased = locks.request(poolLockName, async (): Promise<ClientIdLease> => {
    const stored = await deps.store.getMeta<unknown>(clientIdPoolKey);
    const pool = Array.isArray(stored)
      ? stored.filter((id): id is number => Number.isInteger(id) && id > 0 && id < 2 ** 32)
      : [];
    for (const id of pool) {
      const release = await tryHold(id);
      if (release) return { clientId: id, release };
    }
    let id = randomClientId(random);
    while (pool.includes(id)) id = randomClientId(random);
    if (pool.length >= poolSize) return { clientId: id, release: () => undefined };
    await deps.store.setMeta(clientIdPoolKey, [...pool, id]);
    const release = await tryHold(id);
    return { clientId: id, release: release ?? (() => undefined) };
  });
  // Storage that cannot keep the pool (full, unavailable) costs state-vector growth, not a start.
  return leased.catch(() => ({ clientId: randomClientId(random), release: () => undefined }));
}
