/**
 * Appointment follow-up (domain.md, "Appointments and follow-up"). Days are counted from the
 * appointment date on the clinic calendar:
 *
 *   days late  < 0            upcoming
 *              = 0            due_today
 *              1 … grace      overdue   (late, still within the grace period)
 *              grace+1 … ltfu missed
 *              > ltfu         ltfu      (PEPFAR: more than 28 days since the expected visit)
 *
 * With the defaults (grace 7, LTFU 28): day 7 is overdue, day 8 missed, day 28 missed,
 * day 29 lost to follow-up.
 */
import { addDays, daysBetween, isAfterDate } from './dates';
import type { FollowUpPolicy, IsoDate } from './types';
import { defaultFollowUpPolicy } from './types';

export { addDays, daysBetween, todayIso } from './dates';

export type AppointmentState = 'upcoming' | 'due_today' | 'overdue' | 'missed' | 'ltfu' | 'kept';

/** Days from the appointment to `today`: negative before it, 0 on the day. */
export function daysLate(appointmentDate: IsoDate, today: IsoDate): number {
  return daysBetween(appointmentDate, today);
}

function stateByDaysLate(late: number, policy: FollowUpPolicy): AppointmentState {
  if (late < 0) return 'upcoming';
  if (late === 0) return 'due_today';
  if (late <= policy.graceDays) return 'overdue';
  if (late <= policy.ltfuDays) return 'missed';
  return 'ltfu';
}

/**
 * The state of one appointment.
 *
 * `visitAfterSchedule` is the date of the first visit (at any facility) after the visit that
 * set this appointment, or undefined when there has been none. Taking the first such visit,
 * not the latest visit, matters: a patient who came back months later must not make an
 * appointment they missed look kept.
 *
 * A visit on or before the appointment date plus the grace days keeps it (coming early
 * counts). A later visit means the appointment was missed; its state is then frozen at how
 * late the patient was on the day they came back (missed, or ltfu when they returned after
 * more than `ltfuDays`).
 */
export function appointmentState(
  appointmentDate: IsoDate,
  visitAfterSchedule: IsoDate | undefined,
  today: IsoDate,
  policy: FollowUpPolicy = defaultFollowUpPolicy,
): AppointmentState {
  if (visitAfterSchedule !== undefined) {
    const keptBy = addDays(appointmentDate, policy.graceDays);
    if (!isAfterDate(visitAfterSchedule, keptBy)) return 'kept';
    return stateByDaysLate(daysLate(appointmentDate, visitAfterSchedule), policy);
  }
  return stateByDaysLate(daysLate(appointmentDate, today), policy);
}

/** The first day without medicine: the dispense date plus the days supplied. */
export function supplyRunsOut(lastDispenseDate: IsoDate, daysSupplied: number): IsoDate {
  return addDays(lastDispenseDate, daysSupplied);
}
