/**
 * Assemble what the patient page shows from the patient document's snapshot.
 */
import type { Entry, EntryKind, Facility, FollowUpPolicy, IsoDate } from '../domain/types';
import { appointmentState } from '../domain/follow-up';
import { clinicalDate, isFutureDated } from '../domain/entry-dates';
import {
  countedSnapshot,
  currentStatus,
  latestAppointment,
  type PatientSnapshot,
} from '../crdt/patient-doc';
import { byStampDesc, withSupersession } from '../crdt/entries';
import type { EntryView, PatientFlag, PatientView } from './views';

/** Entries as shown: with what replaced them, and flagged when dated in the future (W1, W7). */
function views<K extends EntryKind>(entries: readonly Entry<K>[], today: IsoDate): EntryView[] {
  return withSupersession(entries).map(({ entry, supersededBy }) => {
    const view: EntryView = { ...entry, supersededBy };
    if (isFutureDated(entry, today)) view.futureDated = true;
    return view;
  });
}

/** Newest clinical date first; same day: newest written first. */
const byClinicalDateDesc = (a: EntryView, b: EntryView): number => {
  // A demographic edit has no clinical date: the day it was written stands in.
  const da = clinicalDate(a) ?? a.stamp.at.slice(0, 10);
  const db = clinicalDate(b) ?? b.stamp.at.slice(0, 10);
  return da !== db ? (da < db ? 1 : -1) : byStampDesc(a, b);
};

const effective = (list: EntryView[]) =>
  list.filter((entry) => entry.supersededBy.length === 0).sort(byClinicalDateDesc);

export function buildPatientView(
  snapshot: PatientSnapshot,
  facilities: readonly Facility[],
  today: IsoDate,
  policy: FollowUpPolicy,
  duplicateCtcId: boolean,
): PatientView | undefined {
  const { ctcId, primaryFacility, demographics } = snapshot;
  if (!ctcId || !primaryFacility || !demographics) return undefined;
  const visits = views(snapshot.entries.visit, today);
  const results = views(snapshot.entries.result, today);
  const appointments = views(snapshot.entries.appointment, today);
  const statusChanges = views(snapshot.entries.status, today);
  const demographicsLog = views(snapshot.entries.demographics, today);
  const careLog = [
    ...views(snapshot.entries.tracing, today),
    ...views(snapshot.entries.alert_ack, today),
  ];
  // Follow-up reads the entries that count at this moment (W3): none dated in the future.
  const counted = countedSnapshot(snapshot, today);
  const status = currentStatus(counted);
  const flags: PatientFlag[] = [];
  const statusValue = status?.data.status ?? 'active';
  if (statusValue !== 'active') flags.push(statusValue);

  const scheduled = latestAppointment(counted);
  let nextAppointment: PatientView['nextAppointment'];
  if (scheduled && statusValue === 'active') {
    const state = appointmentState(scheduled.date, scheduled.visitAfterSchedule, today, policy);
    nextAppointment = { date: scheduled.date, state };
    if (state === 'missed') flags.push('appointment_missed');
    if (state === 'ltfu') flags.push('ltfu');
  }
  const latestVisit = effective(visits).find((visit) => !visit.futureDated) as
    (EntryView & Entry<'visit'>) | undefined;
  if (latestVisit?.data.tbScreen === 'positive') flags.push('tb_screen_positive');
  if (duplicateCtcId) flags.push('duplicate_ctc_id');

  const facility = facilities.find((f) => f.code === primaryFacility);
  const view: PatientView = {
    ctcId,
    primaryFacility: facility ?? { code: primaryFacility },
    demographics,
    status: statusValue,
    flags,
    visits: effective(visits),
    results: effective(results),
    appointments: effective(appointments),
    statusChanges: effective(statusChanges),
    careEntries: effective(careLog),
    facilityNames: Object.fromEntries(facilities.map((f) => [f.code, f.name])),
    history: [
      ...visits,
      ...results,
      ...appointments,
      ...statusChanges,
      ...demographicsLog,
      ...careLog,
    ].sort(byStampDesc),
  };
  if (status) view.statusChange = status.data;
  if (nextAppointment) view.nextAppointment = nextAppointment;
  return view;
}
