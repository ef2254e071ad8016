import { describe, expect, it } from 'vitest';
import { validateAppointment } from '../../../src/domain/schemas/appointment';
import { validateFacility, validateUser } from '../../../src/domain/schemas/facility';
import { validateStatusChange } from '../../../src/domain/schemas/status-change';
import { expectOnlyIssue, iso, rulesOf, today, valueOf } from './helpers';

describe('validateFacility', () => {
  const base = {
    code: '01020100',
    name: 'Mwananyamala CTC',
    district: 'Kinondoni',
    region: 'Dar es Salaam',
  };

  it('accepts an 8-digit code, typed with or without spaces and dashes', () => {
    expect(valueOf(validateFacility({ ...base, code: ' 01 02-0100 ' }))).toEqual(base);
  });

  it('refuses codes that are not exactly 8 digits', () => {
    const issue = expectOnlyIssue(
      validateFacility({ ...base, code: '0102010' }),
      'code',
      'digits_exact',
    );
    expect(issue.params).toEqual({ digits: 8 });
    expectOnlyIssue(validateFacility({ ...base, code: '010201000' }), 'code', 'digits_exact');
    expectOnlyIssue(validateFacility({ ...base, code: '01A20100' }), 'code', 'invalid_format');
  });

  it('reports every missing field at once', () => {
    expect(rulesOf(validateFacility({ code: '', name: ' ', district: '' }))).toEqual({
      code: 'required',
      name: 'required',
      district: 'required',
      region: 'required',
    });
  });
});

describe('validateUser', () => {
  it('needs a name and a known role', () => {
    expect(valueOf(validateUser({ name: ' Dr. Neema ', role: 'clinician' }))).toEqual({
      name: 'Dr. Neema',
      role: 'clinician',
    });
    expect(rulesOf(validateUser({ name: '', role: 'doctor' }))).toEqual({
      name: 'required',
      role: 'not_in_list',
    });
  });
});

describe('validateAppointment', () => {
  const ctx = { today };

  it('accepts today up to one year ahead', () => {
    expect(valueOf(validateAppointment({ date: today, purpose: 'refill', note: '' }, ctx))).toEqual(
      {
        date: today,
        purpose: 'refill',
      },
    );
    expect(validateAppointment({ date: '2026-06-15', purpose: 'lab' }, ctx).ok).toBe(true);
  });

  it('refuses an appointment in the past or too far ahead', () => {
    const past = expectOnlyIssue(
      validateAppointment({ date: '2025-06-14', purpose: 'clinic' }, ctx),
      'date',
      'date_in_past',
    );
    expect(past.params).toEqual({ date: today });
    expectOnlyIssue(
      validateAppointment({ date: '2026-06-16', purpose: 'clinic' }, ctx),
      'date',
      'date_after',
    );
    expect(rulesOf(validateAppointment({ date: '2025-02-30' }, ctx))).toEqual({
      date: 'invalid_date',
      purpose: 'required',
    });
  });
});

describe('validateStatusChange', () => {
  const ctx = { today, birthDate: iso('1990-04-12') };

  it('needs the destination of a transfer', () => {
    expectOnlyIssue(
      validateStatusChange({ status: 'transferred_out', date: '2025-06-01' }, ctx),
      'toFacility',
      'required',
    );
    expect(
      valueOf(
        validateStatusChange(
          { status: 'transferred_out', date: '2025-06-01', toFacility: ' Amana CTC ' },
          ctx,
        ),
      ),
    ).toEqual({ status: 'transferred_out', date: '2025-06-01', toFacility: 'Amana CTC' });
  });

  it('refuses a destination for any other status', () => {
    expectOnlyIssue(
      validateStatusChange({ status: 'died', date: '2025-06-01', toFacility: 'Amana CTC' }, ctx),
      'toFacility',
      'not_applicable',
    );
    expect(validateStatusChange({ status: 'active', date: today }, ctx).ok).toBe(true);
  });

  it('refuses a date in the future or before birth, and unknown statuses', () => {
    expectOnlyIssue(
      validateStatusChange({ status: 'died', date: '2025-06-16' }, ctx),
      'date',
      'date_in_future',
    );
    expectOnlyIssue(
      validateStatusChange({ status: 'stopped', date: '1990-01-01' }, ctx),
      'date',
      'date_before_birth',
    );
    expectOnlyIssue(
      validateStatusChange({ status: 'deleted', date: today }, ctx),
      'status',
      'not_in_list',
    );
  });
});
