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
 *
 * SC13: on a device with a key, the pool is the key's own eight client ids (`candidates`), so a
 * peer can tell its changes carry only its signer's structs. Then no id is ever made up: a ninth
 * tab waits for one of the eight to be released, and without Web Locks a random one of the eight
 * is taken (two such tabs at once could collide; every browser the app supports has Web Locks).
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
  /** SC13: the only ids this device may write under (derived from its key), in order. */
  candidates?: readonly number[];
}

const randomClientId = (random: () => number) => 1 + Math.floor(random() * 0xfffffffe);

export function browserLeaseLocks(): LeaseLocks | undefined {
  return (globalThis.navigator as { locks?: LeaseLocks } | undefined)?.locks;
}

export async function leaseClientId(deps: LeaseDeps): Promise<ClientIdLease> {
  const { locks, random, candidates } = deps;
  if (candidates && candidates.length > 0) return leaseCandidate(locks, random, candidates);
  if (!locks) return { clientId: randomClientId(random), release: () => undefined };
  const poolSize = deps.poolSize ?? defaultPoolSize;

  const tryHold = (id: number) => holdIfFree(locks, id);

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

/** Takes the id's lock if no tab holds it; holds it until `release`. */
function holdIfFree(locks: LeaseLocks, id: number): Promise<(() => void) | undefined> {
  return new Promise((tried) => {
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
}

/** SC13: the first of the device's own ids no open tab holds; or wait for the first one. */
async function leaseCandidate(
  locks: LeaseLocks | undefined,
  random: () => number,
  candidates: readonly number[],
): Promise<ClientIdLease> {
  if (!locks) {
    const id = candidates[Math.floor(random() * candidates.length)] ?? candidates[0]!;
    return { clientId: id, release: () => undefined };
  }
  for (const id of candidates) {
    const release = await holdIfFree(locks, id);
    if (release) return { clientId: id, release };
  }
  const first = candidates[0]!;
  const release = await new Promise<() => void>((held) => {
    void locks.request(idLockName(first), () => new Promise<void>((done) => held(done)));
  });
  return { clientId: first, release };
}
