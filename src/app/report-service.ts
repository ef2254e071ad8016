/**
 * Monthly reports on a device (issue 10 points 5–7, decision 0026).
 *
 * A facility's device publishes its figures: it recomputes the current and the previous month
 * from the records of its own facility it holds (`monthlyReport` over `careRecordOf`), in the
 * background after start-up and after changes — coalesced, at most once a minute while changes
 * keep coming — and writes into its report document (`report:<facility>`) only the months whose
 * figures changed, so an idle device writes (and sends) nothing. Supervisors and relays never
 * publish (WR1, WR2 would refuse it anyway). Records are read once and then only those a change
 * touched, so a recompute after a save costs one record read plus the arithmetic.
 *
 * Every device reads every facility's published figures (RP7) for the district view; the
 * facility's own device also computes the full report, with the CTC IDs behind each number, for
 * the report screen (those never leave the device).
 */
import { ctcIdOfDoc, docKind, networkDocId, reportDocId, type DocId } from '../crdt/doc-id';
import { readFollowUpPolicy } from '../crdt/network-doc';
import type { DocumentStore } from '../crdt/ports';
import { readPatient } from '../crdt/patient-doc';
import {
  figuresOf,
  initReportDoc,
  readReportDoc,
  sameFigures,
  writeReportMonth,
  type ReportFigures,
} from '../crdt/report-doc';
import type { DocumentRepository } from '../crdt/repository';
import { monthlyReport, type MonthlyReport, type Month } from '../domain/care/monthly-report';
import { careFacts, type CareFacts } from '../domain/care/record';
import { todayIso } from '../domain/dates';
import type { CtcId, FacilityCode, IsoDate, IsoDateTime } from '../domain/types';
import { err, ok, type Result } from '../lib/result';
import type { Clock } from '../lib/deps';
import { careRecordOf } from './care-records';
import { coalesce } from './change-coalescer';
import { monthOf, previousMonth } from './report-figures';
import type { DeviceProfile } from './views';

/** At most one recompute a minute while changes keep coming (the first one at once). */
export const publishWindowMs = 60_000;
/** RP8: a facility whose data is older than this many days is flagged; a device setting. */
export const defaultStaleAfterDays = 7;
export const staleAfterDaysRange = { min: 1, max: 90 } as const;
export const reportSettingsKey = 'reportSettings';

export interface LocalReport {
  /** With the CTC IDs behind every number (this device's own records only). */
  report: MonthlyReport;
  /** Each counted patient's name, from the records held here. */
  names: Record<string, string>;
  /** The facility's records the device holds. */
  records: number;
}

export interface PublishedReports {
  facility: FacilityCode;
  /** Whether this device holds the facility's report document at all. */
  held: boolean;
  months: Map<Month, ReportFigures>;
  /** Months that failed the shape check on read, or of a newer layout (RP5). */
  skipped: number;
}

export type StaleDaysRefusal =
  { type: 'not-a-number' } | { type: 'out-of-range'; min: number; max: number };

export interface ReportService {
  /** Publishes now and after every change (coalesced); call once replication may start. */
  start(): void;
  stop(): void;
  /** Recomputes and writes the months whose figures changed; returns them (none when idle). */
  publish(): Promise<Month[]>;
  /** The own facility's report for a month with its patient lists; undefined for a supervisor. */
  localReport(month: Month): Promise<LocalReport | undefined>;
  /** What each facility published, as held on this device. */
  published(facilities: readonly FacilityCode[]): Promise<PublishedReports[]>;
  staleAfterDays(): Promise<number>;
  /** Refused out of range, with the reason, where it is set. */
  setStaleAfterDays(raw: string): Promise<Result<number, StaleDaysRefusal>>;
}

export interface ReportServiceDeps {
  repo: DocumentRepository;
  store: DocumentStore;
  clock: Clock;
  profile(): DeviceProfile | undefined;
  /** A relay writes nothing of its own (WR2). */
  writesNothing?(): boolean;
  windowMs?: number;
  onError?(error: unknown): void;
}

interface Cache {
  facility: FacilityCode;
  day: IsoDate;
  facts: Map<DocId, CareFacts | null>;
}

/** Records read at once while the figures are computed. */
const readsInFlight = 16;

export function createReportService(deps: ReportServiceDeps): ReportService {
  const { repo, store, clock } = deps;
  const onError = (error: unknown) =>
    deps.onError ? deps.onError(error) : console.warn('Report not published', error);
  let cache: Cache | undefined;
  const dirty = new Set<DocId>();
  /** Something the figures depend on changed since the last publication (records, policy, day). */
  let stale = true;
  let publishedDay: IsoDate | undefined;

  const publisherFacility = (): FacilityCode | undefined => {
    const profile = deps.profile();
    if (!profile || profile.user.role === 'supervisor' || deps.writesNothing?.()) return undefined;
    return profile.facility.code;
  };
  const isOwnPatient = (docId: DocId, facility: FacilityCode) =>
    ctcIdOfDoc(docId)?.startsWith(facility) ?? false;

  /** The facts of every own-facility record held, reading only what changed since last time. */
  async function ownFacts(facility: FacilityCode, today: IsoDate): Promise<CareFacts[]> {
    if (!cache || cache.facility !== facility || cache.day !== today) {
      // A new day can change what counts (future-dated entries, W3): every record is read again.
      cache = { facility, day: today, facts: new Map() };
      dirty.clear();
      for (const info of await store.listDocs('patient')) {
        if (isOwnPatient(info.docId, facility)) dirty.add(info.docId);
      }
    }
    const current = cache;
    while (dirty.size > 0) {
      // A few records read side by side: each read waits mostly on IndexedDB and on inflating
      // its stored pack, so reading one after another left the main thread idle (bench:report).
      const batch: DocId[] = [];
      for (const docId of dirty) {
        batch.push(docId);
        if (batch.length === readsInFlight) break;
      }
      for (const docId of batch) dirty.delete(docId);
      const docs = await Promise.all(batch.map((docId) => repo.get(docId)));
      batch.forEach((docId, i) => {
        const record = careRecordOf(readPatient(docs[i]!), today);
        current.facts.set(docId, record ? careFacts(record) : null);
      });
    }
    return [...current.facts.values()].filter((f): f is CareFacts => f !== null);
  }

  async function compute(facility: FacilityCode, month: Month, today: IsoDate) {
    const followUp = readFollowUpPolicy(await repo.get(networkDocId));
    const facts = await ownFacts(facility, today);
    return { facts, report: monthlyReport(facts, facility, month, { today, followUp }) };
  }

  async function publish(): Promise<Month[]> {
    const facility = publisherFacility();
    if (!facility) return [];
    const today = todayIso(clock);
    if (!stale && dirty.size === 0 && publishedDay === today) return [];
    stale = false;
    const computedAt = new Date(clock.now()).toISOString() as IsoDateTime;
    const docId = reportDocId(facility);
    const held = readReportDoc(await repo.get(docId)).months;
    const changed: ReportFigures[] = [];
    for (const month of [previousMonth(monthOf(today)), monthOf(today)]) {
      const { facts, report } = await compute(facility, month, today);
      const figures = figuresOf(report, computedAt, facts.length);
      const before = held.get(month);
      if (!before || !sameFigures(before, figures)) changed.push(figures);
    }
    publishedDay = today;
    if (changed.length === 0) return [];
    await repo.write(docId, (doc) => {
      initReportDoc(doc, facility);
      for (const figures of changed) writeReportMonth(doc, figures);
    });
    return changed.map((f) => f.month);
  }

  // One run at a time; a change during a run makes one more run after it.
  let running: Promise<void> | undefined;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = publish()
      .then(() => undefined, onError)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };

  let coalescer: ReturnType<typeof coalesce> | undefined;
  // Changed records are noted from the start, so a publication asked for directly (before or
  // without `start`) never reuses a record's facts from before its change.
  repo.onDocChanged((docId) => {
    const facility = publisherFacility();
    if (!facility) return;
    if (docId === networkDocId) stale = true;
    else if (docKind(docId) === 'patient' && isOwnPatient(docId, facility)) dirty.add(docId);
    else return;
    coalescer?.notify();
  });

  return {
    start() {
      if (coalescer) return;
      coalescer = coalesce(run, deps.windowMs ?? publishWindowMs);
      coalescer.notify();
    },
    stop() {
      coalescer?.dispose();
      coalescer = undefined;
    },
    publish: () => {
      stale = true;
      return publish();
    },
    async localReport(month) {
      const facility = publisherFacility();
      if (!facility) return undefined;
      const { facts, report } = await compute(facility, month, todayIso(clock));
      const names: Record<string, string> = {};
      const counted = new Set<CtcId>();
      for (const id of Object.keys(report.indicators) as (keyof MonthlyReport['indicators'])[]) {
        for (const ctcId of report.indicators[id].total) counted.add(ctcId);
      }
      for (const f of facts) {
        if (!counted.has(f.record.ctcId)) continue;
        const { givenName, familyName } = f.record.demographics;
        names[f.record.ctcId] = `${givenName} ${familyName}`;
      }
      return { report, names, records: facts.length };
    },
    async published(facilities) {
      const out: PublishedReports[] = [];
      for (const facility of facilities) {
        const docId = reportDocId(facility);
        if (!(await repo.isStored(docId))) {
          out.push({ facility, held: false, months: new Map(), skipped: 0 });
          continue;
        }
        const read = readReportDoc(await repo.get(docId));
        out.push({ facility, held: true, months: read.months, skipped: read.skipped });
      }
      return out;
    },
    async staleAfterDays() {
      const saved = await store.getMeta<{ staleAfterDays?: unknown }>(reportSettingsKey);
      const days = saved?.staleAfterDays;
      return typeof days === 'number' && validDays(days) ? days : defaultStaleAfterDays;
    },
    async setStaleAfterDays(raw) {
      const text = raw.trim();
      if (!/^\d+$/.test(text)) return err({ type: 'not-a-number' });
      const days = Number(text);
      if (!validDays(days)) return err({ type: 'out-of-range', ...staleAfterDaysRange });
      await store.setMeta(reportSettingsKey, { staleAfterDays: days });
      return ok(days);
    },
  };
}

const validDays = (days: number) =>
  Number.isInteger(days) && days >= staleAfterDaysRange.min && days <= staleAfterDaysRange.max;
