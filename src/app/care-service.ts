/**
 * Issue 10 points 1–3 in the app: the follow-up lists of this device's facility, one record's
 * alerts and tracing, and the tracing and alert-answer writes. Loaded on first use
 * (care-lazy.ts), so the rules stay out of the first screen.
 *
 * Where the lists come from: the appointment index (one `PatientRow` per held record, with its
 * status, last visit, phone digits and open appointment) and the facility register (who came
 * today, at any facility). Only the missed and LTFU rows open their records, for the last
 * tracing attempt, the full phone number and the alerts; those are cached per record until
 * it changes, so a refresh after one save reopens one record, not the list.
 */
import { ctcIdOfDoc, networkDocId, patientDocId } from '../crdt/doc-id';
import { readFacilities, readFollowUpPolicy } from '../crdt/network-doc';
import { readPatient } from '../crdt/patient-doc';
import type { DirectoryRow, PatientQueries, PatientRow } from '../crdt/ports';
import type { DocumentRepository } from '../crdt/repository';
import { evaluateFacts } from '../domain/care/evaluate';
import { dueOn, followUpLists, weekAheadDays } from '../domain/care/follow-up-lists';
import { careFacts } from '../domain/care/record';
import { summarizeFacts, type FollowUpSummary, type TracingSummary } from '../domain/care/summary';
import { addDays, todayIso } from '../domain/dates';
import { validateAlertAck } from '../domain/schemas/alert-ack';
import { validateTracing } from '../domain/schemas/tracing';
import type { CtcId, FacilityCode, IsoDate } from '../domain/types';
import type { Clock } from '../lib/deps';
import { err } from '../lib/result';
import { careRecordOf } from './care-records';
import {
  followUpStates,
  type CareService,
  type FollowUpCounts,
  type FollowUpRow,
  type FollowUpState,
  type FollowUpView,
  type PatientCare,
} from './care-views';
import { coalesce } from './change-coalescer';
import type { ClinicWrites } from './clinic-service';
import type { DeviceProfile } from './views';

/** Rows of the missed and LTFU lists, most urgent first, that open their records. */
export const openedRowsPerList = 50;

export interface CareServiceDeps {
  repo: DocumentRepository;
  store: PatientQueries;
  clock: Clock;
  writes: ClinicWrites;
  profile: () => DeviceProfile | undefined;
}

/** What a list row learns from opening its record. */
interface Opened {
  day: IsoDate;
  phone?: string;
  lastTracing?: TracingSummary;
  alerts?: FollowUpRow['alerts'];
}

/** What a directory row (any facility's register) tells the lists. */
function summaryOfDirectory(row: DirectoryRow | PatientRow): FollowUpSummary {
  const s: FollowUpSummary = {
    ctcId: row.ctcId,
    givenName: row.givenName,
    familyName: row.familyName,
    status: row.status,
  };
  if (row.lastVisitDate !== undefined) s.lastVisitDate = row.lastVisitDate;
  if (row.lastVisitFacility !== undefined) s.lastVisitFacility = row.lastVisitFacility;
  return s;
}

/** A held record's index row adds its phone digits and open appointment. */
function summaryOfRow(row: PatientRow): FollowUpSummary {
  const s = summaryOfDirectory(row);
  if (row.phoneDigits !== undefined) s.phone = row.phoneDigits;
  // The row keeps an appointment only while no visit came after it (projectPatientRow).
  if (row.nextAppointment !== undefined) s.appointment = { date: row.nextAppointment };
  return s;
}

export function createCareService(deps: CareServiceDeps): CareService {
  const { repo, store, clock, writes } = deps;
  const today = (): IsoDate => todayIso(clock);
  const opened = new Map<CtcId, Opened>();
  const listeners = new Set<() => void>();
  // SR1: a catch-up stores documents by the hundred; the lists refresh once a window.
  const changed = coalesce(() => {
    for (const listener of listeners) listener();
  });
  repo.onDocChanged((docId) => {
    const ctcId = ctcIdOfDoc(docId);
    if (ctcId) opened.delete(ctcId);
    changed.notify();
  });

  const ownFacility = (): FacilityCode | undefined => {
    const p = deps.profile();
    return p && p.user.role !== 'supervisor' ? p.facility.code : undefined;
  };

  /** Own patients with an open appointment up to `until`, from the index (no record opened). */
  async function dueSummaries(own: FacilityCode, until: IsoDate): Promise<FollowUpSummary[]> {
    const rows = await store.appointmentsUntil(until);
    return rows.filter((row) => row.primaryFacility === own).map(summaryOfRow);
  }

  async function open(ctcId: CtcId, day: IsoDate): Promise<Opened | undefined> {
    const cached = opened.get(ctcId);
    if (cached?.day === day) return cached;
    const docId = patientDocId(ctcId);
    if (!(await repo.isStored(docId))) return undefined;
    const record = careRecordOf(readPatient(await repo.get(docId)), day);
    if (!record) return undefined;
    const facts = careFacts(record);
    const summary = summarizeFacts(facts, day);
    const alerts = evaluateFacts(facts, day).open;
    const result: Opened = { day };
    if (record.demographics.phone) result.phone = record.demographics.phone;
    if (summary.lastTracing) result.lastTracing = summary.lastTracing;
    const top = alerts[0];
    if (top) result.alerts = { count: alerts.length, top };
    opened.set(ctcId, result);
    return result;
  }

  async function withRecord(item: FollowUpRow, day: IsoDate): Promise<FollowUpRow> {
    const found = await open(item.ctcId, day);
    if (!found) return item;
    const row: FollowUpRow = { ...item };
    if (found.phone) row.phone = found.phone;
    if (found.lastTracing) row.lastTracing = found.lastTracing;
    if (found.alerts) row.alerts = found.alerts;
    return row;
  }

  const emptyView = (day: IsoDate, chosen: IsoDate): FollowUpView => {
    const lists = {} as Record<FollowUpState, FollowUpRow[]>;
    const counts = {} as Record<FollowUpState, number>;
    for (const state of followUpStates) {
      lists[state] = [];
      counts[state] = 0;
    }
    return { today: day, chosenDate: chosen, lists, counts, facilityNames: {} };
  };

  const service: CareService = {
    async followUp(options = {}) {
      const day = today();
      const chosen = options.date ?? day;
      const own = ownFacility();
      if (!own) return emptyView(day, chosen);
      const weekEnd = addDays(day, weekAheadDays);
      const network = await repo.get(networkDocId);
      const policy = readFollowUpPolicy(network);
      const facilityNames = Object.fromEntries(
        readFacilities(network).map((f) => [f.code, f.name]),
      );
      const byId = new Map<CtcId, FollowUpSummary>();
      for (const s of await dueSummaries(own, chosen > weekEnd ? chosen : weekEnd)) {
        byId.set(s.ctcId, s);
      }
      // Who came today: the register's last visit, wherever it was; the index adds the phone.
      const came = (await store.directoryOfFacility(own)).filter(
        (row) => row.lastVisitDate === day && !byId.has(row.ctcId),
      );
      const cameRows = await store.getPatientRows(came.map((row) => row.ctcId));
      came.forEach((row, i) => {
        const held = cameRows[i];
        byId.set(row.ctcId, held ? summaryOfRow(held) : summaryOfDirectory(row));
      });
      const summaries = [...byId.values()];
      const lists = followUpLists(summaries, day, policy);
      // Only the most urgent rows of each list open their records: a CTC's LTFU list can hold
      // thousands (the report bench's 5,000 patients had 2,298), and opening every one took the
      // screen 39 s at 4× CPU. The rest show what the index knows (phone digits, last visit).
      const withRecords = (items: FollowUpRow[]) =>
        Promise.all(
          items.map((item, index) =>
            index < openedRowsPerList ? withRecord(item, day) : Promise.resolve(item),
          ),
        );
      const [missed, ltfu] = await Promise.all([
        withRecords(lists.missed),
        withRecords(lists.ltfu),
      ]);
      const view: FollowUpView = {
        today: day,
        chosenDate: chosen,
        lists: {
          today: lists.today.expected,
          came: lists.today.came,
          tomorrow: lists.tomorrow,
          week: lists.thisWeek,
          date: dueOn(summaries, chosen, day),
          overdue: lists.overdue,
          missed,
          ltfu,
        },
        counts: {} as Record<FollowUpState, number>,
        facilityNames,
      };
      for (const [state, list] of Object.entries(view.lists)) {
        view.counts[state as FollowUpState] = list.length;
      }
      return view;
    },

    async followUpCounts(): Promise<FollowUpCounts> {
      const day = today();
      const own = ownFacility();
      if (!own) return { today: 0, overdue: 0, missed: 0, ltfu: 0 };
      const policy = readFollowUpPolicy(await repo.get(networkDocId));
      const { counts } = followUpLists(await dueSummaries(own, day), day, policy);
      return {
        today: counts.expectedToday,
        overdue: counts.overdue,
        missed: counts.missed,
        ltfu: counts.ltfu,
      };
    },

    async patientCare(ctcId): Promise<PatientCare | undefined> {
      const day = today();
      const docId = patientDocId(ctcId);
      if (!(await repo.isStored(docId))) return undefined;
      const record = careRecordOf(readPatient(await repo.get(docId)), day);
      if (!record) return undefined;
      const facts = careFacts(record);
      return {
        ctcId,
        today: day,
        alerts: evaluateFacts(facts, day),
        facts,
        tracing: [...facts.tracing].reverse(),
        canWrite: writes.writer().ok,
      };
    },

    async recordTracing(ctcId, input) {
      const guard = writes.writer();
      if (!guard.ok) return guard;
      const docId = patientDocId(ctcId);
      const demographics = (await repo.isStored(docId))
        ? readPatient(await repo.get(docId)).demographics
        : undefined;
      const tracing = validateTracing(input, {
        today: today(),
        facilityCode: guard.value.facility.code,
        ...(demographics ? { birthDate: demographics.birthDate } : {}),
      });
      if (!tracing.ok) return err({ type: 'invalid', issues: tracing.error });
      return writes.appendClinicalEntry(ctcId, 'tracing', tracing.value, undefined, guard.value);
    },

    async answerAlert(ctcId, input) {
      const guard = writes.writer();
      if (!guard.ok) return guard;
      // The answer is dated by this device, like a stamp: the form does not choose it.
      const answer = validateAlertAck({ ...input, date: today() }, { today: today() });
      if (!answer.ok) return err({ type: 'invalid', issues: answer.error });
      return writes.appendClinicalEntry(ctcId, 'alert_ack', answer.value, undefined, guard.value);
    },

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return service;
}
