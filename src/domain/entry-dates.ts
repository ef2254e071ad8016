import { addDays, todayIso } from './dates';
import type { Entry, IsoDate, IsoDateTime } from './types';

/**
 * The day an entry is about (not when it was written): a visit's date, a result's date, an
 * appointment's date, a status change's date. A demographic edit has none.
 */
export function clinicalDate(entry: Entry): IsoDate | undefined {
  switch (entry.kind) {
    case 'visit':
      return (entry as Entry<'visit'>).data.date;
    case 'result':
      return (entry as Entry<'result'>).data.resultDate;
    case 'appointment':
      return (entry as Entry<'appointment'>).data.date;
    case 'status':
      return (entry as Entry<'status'>).data.date;
    case 'tracing':
      return (entry as Entry<'tracing'>).data.date;
    case 'alert_ack':
      return (entry as Entry<'alert_ack'>).data.date;
    case 'demographics':
      return undefined;
  }
}

/** The calendar day (on this device's wall clock) of an instant such as a stamp's `at`. */
export function localDayOf(at: IsoDateTime | string): IsoDate | undefined {
  const ms = Date.parse(at);
  return Number.isFinite(ms) ? todayIso({ now: () => ms }) : undefined;
}

/**
 * How far ahead of "today" a date may be before it counts as in the future (W1). One day
 * absorbs time zones: a stamp is written in UTC, and a clinic east of Greenwich is a day ahead
 * of UTC for a few hours every night.
 */
export const futureToleranceDays = 1;

/**
 * The day the event of an entry happened, as opposed to a date it looks forward to: an
 * appointment's own date lies in the future by nature, so for it this is the day it was set.
 */
function eventDay(entry: Entry): IsoDate | undefined {
  if (entry.kind === 'appointment' || entry.kind === 'demographics') return undefined;
  return clinicalDate(entry);
}

/**
 * W1–W2: an entry is future-dated when its event day or the day it was written (its stamp) lies
 * after `today` + 1 on the reading device, or when its event day lies after the day it was
 * written + 1 (its author's own clock called it the future; local validation refuses that, so
 * only a faulty or hostile peer sends it). A future-dated entry is kept and shown, flagged, and
 * never drives follow-up. An unreadable stamp counts as future: it cannot be placed in time.
 */
export function isFutureDated(entry: Entry, today: IsoDate): boolean {
  const latestAllowed = addDays(today, futureToleranceDays);
  const written = localDayOf(entry.stamp.at);
  if (written === undefined || written > latestAllowed) return true;
  const event = eventDay(entry);
  if (event === undefined) return false;
  return event > latestAllowed || event > addDays(written, futureToleranceDays);
}
