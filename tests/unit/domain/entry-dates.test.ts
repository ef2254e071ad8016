/** Which entries count as dated in the future (rules §20, W1–W2). */
import { describe, expect, it } from 'vitest';
import { isFutureDated } from '../../../src/domain/entry-dates';
import type { Entry, IsoDate } from '../../../src/domain/types';

const today = '2026-03-10' as IsoDate;
const stamp = (at: string) => ({
  userId: 'u',
  userName: 'Neema',
  role: 'clinician',
  deviceId: 'd',
  facilityCode: '01020003',
  at,
});
const entry = (kind: Entry['kind'], at: string, data: Record<string, unknown>) =>
  ({ id: 'e', kind, stamp: stamp(at), data }) as unknown as Entry;

describe('future-dated entries (W1–W2)', () => {
  it('W1: a visit is future-dated after today + 1 day, not on today + 1', () => {
    expect(isFutureDated(entry('visit', '2026-03-10T09:00:00.000Z', { date: today }), today)).toBe(
      false,
    );
    const tomorrow = entry('visit', '2026-03-11T09:00:00.000Z', { date: '2026-03-11' });
    expect(isFutureDated(tomorrow, today)).toBe(false);
    const later = entry('visit', '2026-03-12T09:00:00.000Z', { date: '2026-03-12' });
    expect(isFutureDated(later, today)).toBe(true);
  });

  it('W1: a stamp from a clock set to 9999 is future-dated even with a sensible visit date', () => {
    const e = entry('visit', '9999-12-31T09:00:00.000Z', { date: '2026-03-09' });
    expect(isFutureDated(e, today)).toBe(true);
  });

  it('W1: an appointment looks forward by nature: only the day it was set counts', () => {
    const set = entry('appointment', '2026-03-10T09:00:00.000Z', { date: '2026-06-10' });
    expect(isFutureDated(set, today)).toBe(false);
    const setByWrongClock = entry('appointment', '2027-01-01T09:00:00.000Z', {
      date: '2027-02-01',
    });
    expect(isFutureDated(setByWrongClock, today)).toBe(true);
  });

  it('W2: an event dated after its own stamp + 1 day is future-dated whatever today is', () => {
    const e = entry('status', '2026-01-01T09:00:00.000Z', { date: '2026-01-05', status: 'died' });
    expect(isFutureDated(e, '2030-01-01' as IsoDate)).toBe(true);
  });

  it('W1: an unreadable stamp cannot be placed in time and counts as future-dated', () => {
    expect(isFutureDated(entry('visit', 'yesterday', { date: '2026-03-01' }), today)).toBe(true);
    expect(isFutureDated(entry('demographics', 'soon', { changes: [] }), today)).toBe(true);
    expect(
      isFutureDated(entry('demographics', '2026-03-01T09:00:00.000Z', { changes: [] }), today),
    ).toBe(false);
  });
});
