/**
 * Assemble what the patient page shows from the patient document's snapshot.
 */
import type { Entry, EntryKind, Facility, FollowUpPolicy, IsoDate } from '../domain/types';
import { appointmentState } from '../domain/follow-up';
import { clinicalDate } from '../domain/entry-dates';
import { currentStatus, latestAppointment, type PatientSnapshot } from '../crdt/patient-doc';
import { byStampDesc, withSupersession } from '../crdt/entries';
import type { EntryView, PatientFlag, PatientView } from './views';

function views<K extends EntryKind>(entries: readonly Entry<K>[]): EntryView[] {
  return withSupersession(entries).map(({ entry, supersededBy }) => ({ ...entry, supersededBy }));
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
  const visits = views(snapshot.entries.visit);
  const results = views(snapshot.entries.result);
  const appointments = views(snapshot.entries.appointment);
  const statusChanges = views(snapshot.entries.status);
  const demographicsLog = views(snapshot.entries.demographics);
  const status = currentStatus(snapshot);
  const flags: PatientFlag[] = [];
  const statusValue = status?.data.status ?? 'active';
  if (statusValue !== 'active') flags.push(statusValue);

  const scheduled = latestAppointment(snapshot);
  let nextAppointment: PatientView['nextAppointment'];
  if (scheduled && statusValue === 'active') {
    const state = appointmentState(scheduled.date, scheduled.visitAfterSchedule, today, policy);
    nextAppointment = { date: scheduled.date, state };
    if (state === 'missed') flags.push('appointment_missed');
    if (state === 'ltfu') flags.push('ltfu');
  }
  const latestVisit = effective(visits)[0] as (EntryView & Entry<'visit'>) | undefined;
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
    facilityNames: Object.fromEntries(facilities.map((f) => [f.code, f.name])),
    history: [...visits, ...results, ...appointments, ...statusChanges, ...demographicsLog].sort(
      byStampDesc,
    ),
  };
  if (status) view.statusChange = status.data;
  if (nextAppointment) view.nextAppointment = nextAppointment;
  return view;
}
