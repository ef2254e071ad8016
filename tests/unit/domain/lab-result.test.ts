import { describe, expect, it } from 'vitest';
import { interpretResultValue, validateLabResult } from '../../../src/domain/schemas/lab-result';
import { expectOnlyIssue, facility, iso, rulesOf, today, valueOf } from './helpers';

const ctx = { today, facilityCode: facility, birthDate: iso('1990-04-12') };
const base = {
  investigation: 'viral_load',
  sampleDate: '2025-06-01',
  resultDate: '2025-06-10',
  value: '1200',
};
const check = (changes: Record<string, unknown>) => validateLabResult({ ...base, ...changes }, ctx);

describe('validateLabResult', () => {
  it('stores a viral load in copies/mL, whatever unit the form sends', () => {
    const result = valueOf(check({ unit: 'cells/mm³', note: ' repeat after EAC ' }));
    expect(result).toEqual({
      investigation: 'viral_load',
      sampleDate: '2025-06-01',
      resultDate: '2025-06-10',
      value: { kind: 'numeric', value: 1200, unit: 'copies/mL' },
      facilityCode: '01020100',
      note: 'repeat after EAC',
    });
  });

  it('reads numeric results within their investigation’s bounds', () => {
    expect(valueOf(check({ investigation: 'cd4', value: 350 })).value).toEqual({
      kind: 'numeric',
      value: 350,
      unit: 'cells/mm³',
    });
    expect(valueOf(check({ investigation: 'haemoglobin', value: '12.5' })).value).toEqual({
      kind: 'numeric',
      value: 12.5,
      unit: 'g/dL',
    });
    expect(valueOf(check({ investigation: 'creatinine', value: '88' })).value).toMatchObject({
      unit: 'µmol/L',
    });
    expect(valueOf(check({ value: '0' })).value).toMatchObject({ value: 0 });
    expectOnlyIssue(check({ value: '-5' }), 'value', 'min_value');
    expectOnlyIssue(check({ value: '10000001' }), 'value', 'max_value');
    expectOnlyIssue(check({ value: '1200.5' }), 'value', 'not_integer');
    expectOnlyIssue(check({ value: '1,000' }), 'value', 'invalid_format');
    expectOnlyIssue(check({ investigation: 'haemoglobin', value: '30' }), 'value', 'max_value');
    expectOnlyIssue(check({ investigation: 'cd4', value: 'positive' }), 'value', 'invalid_format');
  });

  it('reads categorical results from the allowed list only', () => {
    expect(valueOf(check({ investigation: 'crag', value: 'negative' })).value).toEqual({
      kind: 'categorical',
      value: 'negative',
    });
    expect(
      valueOf(check({ investigation: 'xpert', value: 'mtb_detected_rif_detected' })).value,
    ).toEqual({ kind: 'categorical', value: 'mtb_detected_rif_detected' });
    expectOnlyIssue(check({ investigation: 'hbsag', value: 'maybe' }), 'value', 'not_in_list');
    expectOnlyIssue(check({ investigation: 'crag', value: 1 }), 'value', 'invalid_format');
  });

  it('refuses a sample taken after the result, in the future, or before birth', () => {
    const issue = expectOnlyIssue(
      check({ sampleDate: '2025-06-11', resultDate: '2025-06-10' }),
      'sampleDate',
      'date_after',
    );
    expect(issue.params).toEqual({ field: 'resultDate', date: '2025-06-10' });
    expect(check({ sampleDate: '2025-06-10', resultDate: '2025-06-10' }).ok).toBe(true);
    expectOnlyIssue(check({ resultDate: '2025-06-16' }), 'resultDate', 'date_in_future');
    expect(rulesOf(check({ sampleDate: '2025-06-20', resultDate: '2025-06-21' }))).toEqual({
      sampleDate: 'date_in_future',
      resultDate: 'date_in_future',
    });
    expectOnlyIssue(check({ sampleDate: '1990-04-11' }), 'sampleDate', 'date_before_birth');
  });

  it('reports an unknown investigation without guessing at its value', () => {
    expect(rulesOf(check({ investigation: 'x_ray', value: 'clear' }))).toEqual({
      investigation: 'not_in_list',
    });
    expect(rulesOf(validateLabResult({}, ctx))).toEqual({
      investigation: 'required',
      sampleDate: 'required',
      resultDate: 'required',
      value: 'required',
    });
  });
});

describe('interpretResultValue', () => {
  it('reads a value for a known investigation', () => {
    expect(interpretResultValue('viral_load', ' 49 ')).toEqual({
      ok: true,
      value: { kind: 'numeric', value: 49, unit: 'copies/mL' },
    });
    expect(interpretResultValue('viral_load', '')).toEqual({
      ok: false,
      error: { field: 'value', rule: 'required' },
    });
    expect(interpretResultValue('nope', '1')).toMatchObject({
      ok: false,
      error: { field: 'investigation', rule: 'not_in_list' },
    });
  });
});
