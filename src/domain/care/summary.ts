/**
 * The per-patient summary the follow-up lists read: what a register row holds (last visit,
 * live appointment, status, phone) plus the latest tracing attempt. `summarize` derives it from
 * a full record; a store can keep the same shape as a row and skip reading records.
 */
import type {
  CtcId,
  FacilityCode,
  IsoDate,
  PatientStatus,
  TracingMethod,
  TracingOutcome,
} from '../types';
import { careFacts, liveAppointment, statusOn, type CareFacts, type CareRecord } from './record';

export interface TracingSummary {
  date: IsoDate;
  method: TracingMethod;
  reached: boolean;
  outcome?: TracingOutcome;
}

export interface FollowUpSummary {
  ctcId: CtcId;
  givenName: string;
  familyName: string;
  phone?: string;
  status: PatientStatus;
  lastVisitDate?: IsoDate;
  lastVisitFacility?: FacilityCode;
  /** The appointment most recently set, with the first visit after it was set (if any). */
  appointment?: { date: IsoDate; visitAfterSchedule?: IsoDate };
  lastTracing?: TracingSummary;
}

export function summarizeFacts(facts: CareFacts, today: IsoDate): FollowUpSummary {
  const d = facts.record.demographics;
  const summary: FollowUpSummary = {
    ctcId: facts.record.ctcId,
    givenName: d.givenName,
    familyName: d.familyName,
    status: statusOn(facts, today),
  };
  if (d.phone !== undefined) summary.phone = d.phone;
  const last = facts.visits.filter((v) => v.data.date <= today).at(-1);
  if (last) {
    summary.lastVisitDate = last.data.date;
    summary.lastVisitFacility = last.data.facilityCode;
  }
  const live = liveAppointment(facts, today);
  if (live) {
    summary.appointment =
      live.visitAfter === undefined
        ? { date: live.date }
        : { date: live.date, visitAfterSchedule: live.visitAfter };
  }
  const tracing = facts.tracing.filter((t) => t.data.date <= today).at(-1);
  if (tracing) {
    const t = tracing.data;
    summary.lastTracing = { date: t.date, method: t.method, reached: t.reached };
    if (t.outcome !== undefined) summary.lastTracing.outcome = t.outcome;
  }
  return summary;
}

export function summarize(record: CareRecord, today: IsoDate): FollowUpSummary {
  return summarizeFacts(careFacts(record), today);
}
