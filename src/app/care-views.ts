/**
 * What the care screens read and call (issue 10 points 1–3): the follow-up lists of this
 * device's facility, one record's alerts and tracing, and the two care writes. Types only, so a
 * screen importing them pulls none of the rules into its chunk (see care-lazy.ts).
 */
import type { CareAlerts } from '../domain/care/evaluate';
import type { FollowUpItem } from '../domain/care/follow-up-lists';
import type { CareFacts } from '../domain/care/record';
import type { Alert } from '../domain/care/rule-types';
import type { CtcId, Entry, EntryId, IsoDate } from '../domain/types';
import type { SaveResult } from './views';

/** The lists a clinic works from, as the screen's tabs name them. */
export const followUpStates = [
  'today',
  'came',
  'tomorrow',
  'week',
  'date',
  'overdue',
  'missed',
  'ltfu',
] as const;
export type FollowUpState = (typeof followUpStates)[number];

export interface FollowUpRow extends FollowUpItem {
  /** Open alerts of the record: only on rows whose record the list opened (missed, LTFU). */
  alerts?: { count: number; top: Alert };
}

export interface FollowUpView {
  today: IsoDate;
  /** The day the `date` list is for (today when none was chosen). */
  chosenDate: IsoDate;
  lists: Record<FollowUpState, FollowUpRow[]>;
  counts: Record<FollowUpState, number>;
  /** Facility names by code, for "last visit … at <name>". */
  facilityNames: Record<string, string>;
}

/** The four numbers Home shows; read from the appointment index alone, no record opened. */
export interface FollowUpCounts {
  today: number;
  overdue: number;
  missed: number;
  ltfu: number;
}

export interface PatientCare {
  ctcId: CtcId;
  today: IsoDate;
  alerts: CareAlerts;
  /** The facts the rules read, for the record's charts. */
  facts: CareFacts;
  /** Tracing attempts, newest first. */
  tracing: Entry<'tracing'>[];
  /** Whether this device may answer alerts and record tracing (not a supervisor or relay). */
  canWrite: boolean;
}

export interface CareService {
  followUp(options?: { date?: IsoDate }): Promise<FollowUpView>;
  followUpCounts(): Promise<FollowUpCounts>;
  /** Undefined when the record is not held here (or its registration has not arrived). */
  patientCare(ctcId: CtcId): Promise<PatientCare | undefined>;
  /** Raw form values (method, reached, outcome, date, note); refused with field issues. */
  recordTracing(ctcId: CtcId, input: Record<string, unknown>): Promise<SaveResult<EntryId>>;
  /** An alert's rule id and key, the action and a reason; dated today by the service. */
  answerAlert(ctcId: CtcId, input: Record<string, unknown>): Promise<SaveResult<EntryId>>;
  /** Any stored change that may move a list or an alert, coalesced (SR1). */
  onChange(listener: () => void): () => void;
}
