/**
 * Z7–Z12: extras (patient records of other facilities held here because they were opened or a
 * visit was recorded for them) are pruned by last use and a budget, so a small phone that sees
 * many visitors does not fill up. Never pruned: the facility's own patients, the network doc,
 * registers (H1 wants them all), anything on a relay, a record with a write in flight (the
 * repository refuses, D6) and a record used in the last `protectRecentMs`. A pruned record is
 * no longer held, so the next hello announces the smaller set (H3); its directory row stays, and
 * it is fetched again on request like any record not held.
 *
 * "Last use" is one meta record (`pruning.lastUse`: doc id → ms of last use and of last local
 * write), kept in memory and written at most once per `flushAfterMs` and after every run, so
 * using a record costs no write of its own. A record written here in the last `protectWrittenMs`
 * is kept: its write may not have reached a peer yet.
 * Decision record: docs/decisions/0014-pruning-extras.md.
 */
import { docKind, patientDocId, type DocId } from '../crdt/doc-id';
import type { DocumentStore } from '../crdt/ports';
import { localOrigin, type DocumentRepository } from '../crdt/repository';
import type { CtcId } from '../domain/types';
import { systemClock, type Clock } from '../lib/deps';
// Named modules, not the '../sync' barrel: the barrel would bring the engine into the first screen.
import { systemTimers, type Timers } from '../sync/ports';
import { extrasOf } from '../sync/interest';
import type { AppReplicaHost } from './replica-host';
import type { ClinicService } from './views';

export const lastUseKey = 'pruning.lastUse';

export interface PruningPolicy {
  /** Extras kept at most; the least recently used beyond it are removed. */
  maxExtras: number;
  /** A record used this recently is never removed, whatever the budget. */
  protectRecentMs: number;
  /**
   * A record written on this device this recently is never removed: the write may not have
   * reached any peer yet (a device offline for weeks), and pruning must lose nothing.
   */
  protectWrittenMs: number;
}

/** See docs/decisions/0014-pruning-extras.md for why these numbers. */
export const defaultPruningPolicy: PruningPolicy = {
  maxExtras: 2_000,
  protectRecentMs: 30 * 60_000,
  protectWrittenMs: 90 * 24 * 60 * 60_000,
};

/** Last use and last local write per extra, in ms. */
interface Uses {
  used: Map<DocId, number>;
  wrote: Map<DocId, number>;
}

/** The meta record: `used` and `wrote` as plain objects. */
interface StoredUses {
  used?: Record<string, number>;
  wrote?: Record<string, number>;
}

function usesFromStored(stored: StoredUses | undefined): Uses {
  const entries = (record: Record<string, number> | undefined) =>
    Object.entries(record ?? {}).filter(
      (entry): entry is [string, number] => typeof entry[1] === 'number',
    ) as [DocId, number][];
  return { used: new Map(entries(stored?.used)), wrote: new Map(entries(stored?.wrote)) };
}

const usesToStored = (uses: Uses): StoredUses => ({
  used: Object.fromEntries(uses.used),
  wrote: Object.fromEntries(uses.wrote),
});

export interface PruneReport {
  extras: number;
  removed: DocId[];
  /** Over budget but kept: used recently, or a write in flight. */
  kept: DocId[];
}

export interface ExtrasPruner {
  /** A clinician opened (`used`) or changed (`wrote`) this record here. */
  touch(docId: DocId, kind?: 'used' | 'wrote'): void;
  prune(): Promise<PruneReport>;
  /** Runs `prune` after `firstRunMs`, then every `everyMs`, until `stop`. */
  start(): void;
  stop(): void;
  /** Writes the last-use record now (if it changed). */
  flush(): Promise<void>;
}

export interface ExtrasPrunerOptions {
  repo: DocumentRepository;
  store: DocumentStore;
  host: AppReplicaHost;
  /** This device's facility code; nothing is pruned before the device is set up. */
  facility: () => string | undefined;
  isRelay: () => boolean;
  policy?: Partial<PruningPolicy>;
  clock?: Clock;
  timers?: Timers;
  firstRunMs?: number;
  everyMs?: number;
  flushAfterMs?: number;
  onError?: (error: unknown) => void;
}

export function createExtrasPruner(options: ExtrasPrunerOptions): ExtrasPruner {
  const policy: PruningPolicy = { ...defaultPruningPolicy, ...options.policy };
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const firstRunMs = options.firstRunMs ?? 60_000;
  const everyMs = options.everyMs ?? 60 * 60_000;
  const flushAfterMs = options.flushAfterMs ?? 5 * 60_000;
  const onError =
    options.onError ?? ((error: unknown) => console.warn('Pruning of extras failed', error));
  const { repo, store, host } = options;

  let lastUse: Uses | undefined;
  let loading: Promise<Uses> | undefined;
  /** Uses recorded before the stored record was read; merged into it. */
  const early: Uses = { used: new Map(), wrote: new Map() };
  let dirty = false;
  let flushTimer: unknown;
  let runTimer: unknown;
  let running: Promise<PruneReport> | undefined;
  let stopped = true;

  const load = (): Promise<Uses> => {
    if (lastUse) return Promise.resolve(lastUse);
    loading ??= store.getMeta<StoredUses>(lastUseKey).then((stored) => {
      const uses = usesFromStored(stored);
      for (const kind of ['used', 'wrote'] as const) {
        for (const [docId, at] of early[kind]) {
          uses[kind].set(docId, Math.max(at, uses[kind].get(docId) ?? 0));
        }
        early[kind].clear();
      }
      lastUse = uses;
      return uses;
    });
    return loading;
  };

  const isExtra = (docId: DocId): boolean => {
    const facility = options.facility();
    if (docKind(docId) !== 'patient' || facility === undefined) return false;
    return extrasOf([docId], facility, false).length > 0;
  };

  const scheduleFlush = () => {
    if (flushTimer !== undefined || stopped) return;
    flushTimer = timers.setTimeout(() => {
      flushTimer = undefined;
      flush().catch(onError);
    }, flushAfterMs);
  };

  let flushing: Promise<void> | undefined;
  async function flush(): Promise<void> {
    if (flushing) await flushing;
    if (!dirty) return;
    dirty = false;
    flushing = load()
      .then((uses) => store.setMeta(lastUseKey, usesToStored(uses)))
      .catch((error: unknown) => {
        dirty = true;
        throw error;
      })
      .finally(() => (flushing = undefined));
    await flushing;
  }

  function touch(docId: DocId, kind: 'used' | 'wrote' = 'used'): void {
    if (!isExtra(docId)) return;
    const uses = lastUse ?? early;
    uses.used.set(docId, clock.now());
    if (kind === 'wrote') uses.wrote.set(docId, clock.now());
    dirty = true;
    scheduleFlush();
  }

  async function runPrune(): Promise<PruneReport> {
    const facility = options.facility();
    if (facility === undefined || options.isRelay()) return { extras: 0, removed: [], kept: [] };
    const extras = extrasOf(host.holdings(), facility, false);
    const report: PruneReport = { extras: extras.length, removed: [], kept: [] };
    if (extras.length <= policy.maxExtras) return report;

    const uses = await load();
    const map = uses.used;
    // A record never used here (it came before use was tracked) counts from its last change.
    const changedAt = new Map<DocId, number>();
    if (extras.some((docId) => !map.has(docId))) {
      for (const info of await store.listDocs('patient')) {
        changedAt.set(info.docId, Date.parse(info.updatedAt));
      }
    }
    const usedAt = (docId: DocId) => map.get(docId) ?? changedAt.get(docId) ?? 0;
    const oldestFirst = [...extras].sort((a, b) => usedAt(a) - usedAt(b));
    const now = clock.now();
    let excess = extras.length - policy.maxExtras;
    for (const docId of oldestFirst) {
      if (excess <= 0) break;
      const wroteAt = uses.wrote.get(docId) ?? Number.NEGATIVE_INFINITY;
      if (now - usedAt(docId) < policy.protectRecentMs || now - wroteAt < policy.protectWrittenMs) {
        report.kept.push(docId);
        continue;
      }
      try {
        await repo.remove(docId);
      } catch {
        // D6: a write to it is in flight; it stays until a later run.
        report.kept.push(docId);
        continue;
      }
      host.forget(docId);
      if (map.delete(docId)) dirty = true;
      uses.wrote.delete(docId);
      report.removed.push(docId);
      excess -= 1;
    }
    await flush();
    return report;
  }

  function prune(): Promise<PruneReport> {
    running ??= runPrune().finally(() => (running = undefined));
    return running;
  }

  const scheduleRun = (ms: number) => {
    runTimer = timers.setTimeout(() => {
      runTimer = undefined;
      prune()
        .catch(onError)
        .finally(() => {
          if (!stopped) scheduleRun(everyMs);
        });
    }, ms);
  };

  // Writes made here are uses; updates from peers are not.
  repo.onUpdate((docId, _update, origin) => {
    if (origin === localOrigin) touch(docId, 'wrote');
  });

  return {
    touch,
    prune,
    flush,
    start() {
      if (!stopped) return;
      stopped = false;
      scheduleRun(firstRunMs);
    },
    stop() {
      stopped = true;
      if (runTimer !== undefined) timers.clearTimeout(runTimer);
      if (flushTimer !== undefined) timers.clearTimeout(flushTimer);
      runTimer = undefined;
      flushTimer = undefined;
      flush().catch(onError);
    },
  };
}

/** Opening a record on a screen is a use of it (watching goes through `getPatient`). */
export function trackRecordUse(service: ClinicService, pruner: ExtrasPruner): ClinicService {
  const getPatient = service.getPatient.bind(service);
  service.getPatient = (ctcId: CtcId) => {
    pruner.touch(patientDocId(ctcId));
    return getPatient(ctcId);
  };
  return service;
}
