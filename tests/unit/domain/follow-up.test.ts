import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addYears, compareIsoDates, isIsoDate } from '../../../src/domain/dates';
import {
  addDays,
  appointmentState,
  daysBetween,
  daysLate,
  supplyRunsOut,
  todayIso,
} from '../../../src/domain/follow-up';
import type { IsoDate } from '../../../src/domain/types';

const d = (text: string) => text as IsoDate;
const appointment = d('2025-03-10');

describe('date helpers', () => {
  it('accepts only real calendar days written YYYY-MM-DD', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-02-30')).toBe(false);
    expect(isIsoDate('2025-13-01')).toBe(false);
    expect(isIsoDate('2025-1-5')).toBe(false);
    expect(isIsoDate('15/03/2025')).toBe(false);
    expect(isIsoDate('2025-03-15T00:00:00Z')).toBe(false);
    expect(isIsoDate(20250315)).toBe(false);
  });

  it('counts days across month, year and leap-day boundaries', () => {
    expect(daysBetween(d('2024-02-28'), d('2024-03-01'))).toBe(2);
    expect(daysBetween(d('2025-02-28'), d('2025-03-01'))).toBe(1);
    expect(daysBetween(d('2024-12-31'), d('2025-01-01'))).toBe(1);
    expect(daysBetween(d('2025-01-01'), d('2024-12-31'))).toBe(-1);
    expect(addDays(d('2024-12-25'), 90)).toBe('2025-03-25');
    expect(addYears(d('2024-02-29'), 1)).toBe('2025-02-28');
    expect(compareIsoDates(d('2025-01-09'), d('2025-01-10'))).toBe(-1);
  });

  describe('todayIso', () => {
    const savedTz = process.env.TZ;
    beforeEach(() => {
      process.env.TZ = 'Africa/Dar_es_Salaam';
    });
    afterEach(() => {
      // Assigning undefined would store the string "undefined".
      if (savedTz === undefined) delete process.env.TZ;
      else process.env.TZ = savedTz;
    });

    it('is the local calendar day, not the UTC one (01:30 in Dar es Salaam is still "today")', () => {
      // 2025-03-09T22:30Z is 01:30 on 10 March in Tanzania (UTC+3).
      const clock = { now: () => Date.UTC(2025, 2, 9, 22, 30) };
      expect(todayIso(clock)).toBe('2025-03-10');
    });
  });
});

describe('appointmentState', () => {
  const at = (offset: number) => addDays(appointment, offset);

  it('is upcoming before the day and due on the day', () => {
    expect(appointmentState(appointment, undefined, at(-1))).toBe('upcoming');
    expect(appointmentState(appointment, undefined, at(0))).toBe('due_today');
  });

  it('is overdue through day 7 of grace and missed from day 8', () => {
    expect(appointmentState(appointment, undefined, at(1))).toBe('overdue');
    expect(appointmentState(appointment, undefined, at(7))).toBe('overdue');
    expect(appointmentState(appointment, undefined, at(8))).toBe('missed');
  });

  it('is missed through day 28 and lost to follow-up from day 29', () => {
    expect(appointmentState(appointment, undefined, at(28))).toBe('missed');
    expect(appointmentState(appointment, undefined, at(29))).toBe('ltfu');
    expect(appointmentState(appointment, undefined, at(400))).toBe('ltfu');
  });

  it('follows a facility policy other than the defaults', () => {
    const policy = { graceDays: 3, ltfuDays: 90 };
    expect(appointmentState(appointment, undefined, at(4), policy)).toBe('missed');
    expect(appointmentState(appointment, undefined, at(90), policy)).toBe('missed');
    expect(appointmentState(appointment, undefined, at(91), policy)).toBe('ltfu');
  });

  it('is kept by a visit before, on, or up to 7 days after the date', () => {
    expect(appointmentState(appointment, at(-5), at(60))).toBe('kept');
    expect(appointmentState(appointment, at(0), at(60))).toBe('kept');
    expect(appointmentState(appointment, at(7), at(60))).toBe('kept');
  });

  it('stays missed when the patient came back late, and ltfu when they came back after 28 days', () => {
    expect(appointmentState(appointment, at(8), at(60))).toBe('missed');
    expect(appointmentState(appointment, at(28), at(60))).toBe('missed');
    expect(appointmentState(appointment, at(29), at(60))).toBe('ltfu');
  });

  it('reports how many days late a patient is', () => {
    expect(daysLate(appointment, at(8))).toBe(8);
    expect(daysLate(appointment, at(-2))).toBe(-2);
  });
});

describe('supplyRunsOut', () => {
  it('is the dispense date plus the days supplied', () => {
    expect(supplyRunsOut(d('2025-01-15'), 30)).toBe('2025-02-14');
    expect(supplyRunsOut(d('2024-12-01'), 90)).toBe('2025-03-01');
  });
});
