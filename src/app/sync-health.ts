/**
 * What the Network screen and the banner tell the clinic about sync trouble (rules §20): this
 * device's clock disagreeing with its peers', a disk too full to store what peers send, and the
 * updates peers sent that were refused.
 */
import type { Clock } from '../lib/deps';
import type { DocumentStore } from '../crdt/ports';
import { StorageError } from '../crdt/ports';
import type { IsoDateTime } from '../domain/types';
import type { PeerSyncStatus, SyncLogger, SyncStatus, Timers } from '../sync';
import type { AppReplicaHost } from './replica-host';
import type { ClockWarning, RefusalView } from './views';

/** W10: how far the median peer clock may be from ours before the device warns. */
export const clockWarningThresholdMs = 10 * 60_000;

const median = (sorted: readonly number[]): number => {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/**
 * W10: the clock warning, from the offsets the connected devices gave (peer clock minus ours).
 * It warns when more than half of them are over the threshold in the same direction, and says
 * by how much (their median). So one peer with a wrong clock does not make every other device
 * warn, and the device in the middle of two that disagree stays quiet. With a single peer both
 * devices warn, which is true ("differs from the other device") and kind enough. Other tabs of
 * this device share its clock and are left out.
 */
export function clockWarningOf(
  peers: readonly PeerSyncStatus[],
  ownDeviceId: string | undefined,
): ClockWarning | undefined {
  const offsets = peers
    .filter((p) => p.connected && p.deviceId !== ownDeviceId && p.clockOffsetMs !== null)
    .map((p) => p.clockOffsetMs as number)
    .filter((offset) => Number.isFinite(offset))
    .sort((a, b) => a - b);
  const ahead = offsets.filter((offset) => offset > clockWarningThresholdMs);
  const behind = offsets.filter((offset) => offset < -clockWarningThresholdMs);
  for (const agreeing of [ahead, behind]) {
    if (agreeing.length * 2 > offsets.length) {
      return { peersAheadByMs: median(agreeing), peers: offsets.length };
    }
  }
  return undefined;
}

/** W11: how often a full device checks whether space came back. */
export const storageRetryMs = 30_000;

const storageProbeKey = 'storage-probe';

export const isQuotaError = (error: unknown): boolean =>
  error instanceof StorageError && error.code === 'quota-exceeded';

export interface StorageWatch {
  /** Whether the last store write this service saw failed for lack of space. */
  full(): boolean;
  /** The host to give the engine: it notices a full disk when a peer's update cannot be stored. */
  wrap(host: AppReplicaHost): AppReplicaHost;
  /** A write elsewhere (a clinical save) failed or worked: same state. */
  noteWrite(error?: unknown): void;
  /** Stops retrying (the state is kept; the next failure starts retrying again). */
  stop(): void;
}

export interface StorageWatchDeps {
  store: Pick<DocumentStore, 'setMeta'>;
  clock: Clock;
  timers: Timers;
  logger: SyncLogger;
  /** The state changed (show it). */
  onChange: () => void;
  /** Space came back: re-run what failed (reconnect, so reconciliation fetches it again). */
  onRecovered: () => void;
  retryMs?: number;
}

/**
 * W11–W12: a failed store of a peer's update closes its session (`host-error`, E7); nothing
 * half-written remains, but nothing would try again either. While full, a tiny meta write is
 * tried every `retryMs`; once one works the state clears and `onRecovered` reconnects.
 */
export function createStorageWatch(deps: StorageWatchDeps): StorageWatch {
  const retryMs = deps.retryMs ?? storageRetryMs;
  let isFull = false;
  let timer: unknown;

  function setFull(next: boolean) {
    if (next === isFull) return;
    isFull = next;
    deps.logger.log(next ? 'warn' : 'info', next ? 'storage.full' : 'storage.space-back', {});
    if (next) schedule();
    else if (timer !== undefined) {
      deps.timers.clearTimeout(timer);
      timer = undefined;
    }
    deps.onChange();
    if (!next) deps.onRecovered();
  }

  function schedule() {
    if (timer !== undefined) return;
    timer = deps.timers.setTimeout(() => {
      timer = undefined;
      void probe();
    }, retryMs);
  }

  async function probe() {
    if (!isFull) return;
    try {
      await deps.store.setMeta(storageProbeKey, deps.clock.now());
      setFull(false);
    } catch {
      schedule();
    }
  }

  function noteWrite(error?: unknown) {
    if (error === undefined) setFull(false);
    else if (isQuotaError(error)) setFull(true);
  }

  return {
    full: () => isFull,
    noteWrite,
    wrap(host) {
      // Every other method is the host's own (inherited), so new host methods pass through.
      const wrapped = Object.create(host) as AppReplicaHost;
      wrapped.applyRemoteChanges = async (docId, changes, from, options) => {
        try {
          const outcomes = await host.applyRemoteChanges(docId, changes, from, options);
          // Only a stored update proves there is space again.
          if (isFull && outcomes.some((outcome) => outcome.type === 'applied')) setFull(false);
          return outcomes;
        } catch (error) {
          noteWrite(error);
          throw error;
        }
      };
      return wrapped;
    },
    stop() {
      if (timer !== undefined) deps.timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** W13: the sync log's refused updates, newest first, with the sender's facility when known. */
export function refusalViewsOf(
  sync: Pick<SyncStatus, 'peers' | 'refusals'> | undefined,
  facilityNames: Readonly<Record<string, string>>,
  limit: number,
): RefusalView[] {
  const facilityOf = new Map((sync?.peers ?? []).map((p) => [p.deviceId, p.facility]));
  return (sync?.refusals ?? [])
    .slice(-limit)
    .reverse()
    .map((r) => {
      const view: RefusalView = {
        at: new Date(Number.isFinite(r.at) ? r.at : 0).toISOString() as IsoDateTime,
        docId: r.docId,
        reason: r.reason,
        detail: r.detail,
      };
      if (r.deviceId) {
        view.deviceId = r.deviceId;
        const code = facilityOf.get(r.deviceId);
        if (code) {
          view.facilityCode = code;
          const name = facilityNames[code];
          if (name) view.facilityName = name;
        }
      }
      return view;
    });
}
