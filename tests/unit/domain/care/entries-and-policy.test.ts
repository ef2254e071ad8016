import { describe, expect, it } from 'vitest';
import { carePolicyIssues, defaultCarePolicy } from '../../../../src/domain/care/policy';
import { fillSentence } from '../../../../src/domain/care/reasons';
import { addMonths, ageOn } from '../../../../src/domain/care/record';
import { validateAlertAck } from '../../../../src/domain/schemas/alert-ack';
import { validateTracing } from '../../../../src/domain/schemas/tracing';
import type { IsoDate } from '../../../../src/domain/types';
import { facility, rulesOf, today, valueOf } from '../helpers';

const ctx = { today, facilityCode: facility, birthDate: '1990-01-01' as IsoDate };

describe('tracing form', () => {
  it('records a reached attempt with its outcome, for the tracing facility', () => {
    const value = valueOf(
      validateTracing(
        { date: '2025-06-14', method: 'phone', reached: 'yes', outcome: 'will_return', note: '' },
        ctx,
      ),
    );
    expect(value).toEqual({
      date: '2025-06-14',
      method: 'phone',
      reached: true,
      outcome: 'will_return',
      facilityCode: facility,
    });
  });

  it('asks for an outcome when someone was reached, and refuses one that needs contact', () => {
    expect(
      rulesOf(validateTracing({ date: '2025-06-14', method: 'phone', reached: true }, ctx)),
    ).toEqual({ outcome: 'required' });
    expect(
      rulesOf(
        validateTracing(
          { date: '2025-06-14', method: 'home_visit', reached: false, outcome: 'died' },
          ctx,
        ),
      ),
    ).toEqual({ outcome: 'not_applicable' });
    expect(
      valueOf(validateTracing({ date: '2025-06-14', method: 'home_visit', reached: 'no' }, ctx)),
    ).toMatchObject({ reached: false });
  });

  it('refuses a future date, an unknown method and a missing answer', () => {
    expect(rulesOf(validateTracing({ date: '2025-06-16', method: 'sms' }, ctx))).toEqual({
      date: 'date_in_future',
      method: 'not_in_list',
      reached: 'required',
    });
  });
});

describe('alert answer form', () => {
  const base = { ruleId: 'vl_due', alertKey: 'vl_due:2025-06-01', date: '2025-06-15' };
  it('keeps an override with its reason', () => {
    expect(
      valueOf(validateAlertAck({ ...base, action: 'override', reason: 'Sample sent' }, { today })),
    ).toEqual({ ...base, action: 'override', reason: 'Sample sent' });
  });
  it('refuses an answer without a reason or with an unknown action', () => {
    expect(
      rulesOf(validateAlertAck({ ...base, action: 'ignore', reason: 'ok' }, { today })),
    ).toEqual({ action: 'not_in_list', reason: 'too_short' });
    expect(rulesOf(validateAlertAck({ ...base, action: 'acknowledge' }, { today }))).toEqual({
      reason: 'required',
    });
  });
});

describe('care policy settings', () => {
  it('accepts the defaults', () => {
    expect(carePolicyIssues(defaultCarePolicy)).toEqual([]);
  });
  it('refuses out-of-range and out-of-order numbers, with the limit', () => {
    expect(
      carePolicyIssues({ ...defaultCarePolicy, unsuppressedFrom: 10, repeatVlMonths: 0.5 }),
    ).toEqual([
      { field: 'unsuppressedFrom', rule: 'min_value', params: { min: 50 } },
      { field: 'repeatVlMonths', rule: 'not_integer' },
    ]);
    expect(
      carePolicyIssues({ ...defaultCarePolicy, lowLevelFrom: 500, unsuppressedFrom: 400 }),
    ).toEqual([
      {
        field: 'lowLevelFrom',
        rule: 'max_value',
        params: { max: 399, field: 'unsuppressedFrom' },
      },
    ]);
  });
});

describe('reason sentences and dates', () => {
  it('fills slots with the caller’s formatted values and shows a missing one', () => {
    expect(
      fillSentence('vl_unsuppressed', 'en', {
        value: '12,400',
        date: '4 Mar 2026',
        threshold: '1000',
        repeatDue: '4 Jun 2026',
      }),
    ).toBe(
      'Last VL 12,400 copies/mL on 4 Mar 2026, ≥ 1000: enhanced adherence counselling, repeat VL by 4 Jun 2026.',
    );
    expect(fillSentence('tb_investigate', 'sw', {})).toContain('{screenDate}');
  });
  it('adds months clamped to the month end, and counts age in whole years', () => {
    expect(addMonths('2025-08-31' as IsoDate, 6)).toBe('2026-02-28');
    expect(addMonths('2025-11-15' as IsoDate, 3)).toBe('2026-02-15');
    expect(addMonths('2026-03-31' as IsoDate, -6)).toBe('2025-09-30');
    expect(ageOn('2011-03-31' as IsoDate, '2026-03-31' as IsoDate)).toBe(15);
    expect(ageOn('2011-04-01' as IsoDate, '2026-03-31' as IsoDate)).toBe(14);
  });
});
