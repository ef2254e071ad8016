import { describe, expect, it } from 'vitest';
import type { EncounterContext } from '../../../src/domain/schemas/context';
import { validateVisit } from '../../../src/domain/schemas/visit';
import { expectOnlyIssue, facility, iso, issuesOf, rulesOf, today, valueOf } from './helpers';

const female: EncounterContext = {
  today,
  facilityCode: facility,
  birthDate: iso('1990-04-12'),
  sex: 'female',
};
const male: EncounterContext = { ...female, sex: 'male' };

/** A routine refill visit, as the form sends it. */
const base = {
  date: '2025-06-15',
  visitType: 'clinic',
  tbScreen: 'negative',
  arvStatus: 'continue',
  arvReason: '',
  regimen: '1r-A',
  daysSupplied: '30',
  nextAppointment: '2025-07-15',
  weightKg: '',
  symptoms: [],
  otherMedicines: [],
  investigationsOrdered: [],
};
const check = (changes: Record<string, unknown>, ctx = female) =>
  validateVisit({ ...base, ...changes }, ctx);

describe('validateVisit', () => {
  it('returns the clean visit, recorded by the facility from the context', () => {
    const visit = valueOf(
      check({
        weightKg: ' 62.5 ',
        heightCm: '158',
        bpSystolic: '120',
        bpDiastolic: '80',
        symptoms: ['cough', ' fever ', '', 'cough'],
        pregnant: 'no',
        pillsMissed: '0',
        notes: '  Doing well  ',
        facilityCode: '99999999',
      }),
    );
    expect(visit).toEqual({
      date: '2025-06-15',
      facilityCode: '01020100',
      visitType: 'clinic',
      weightKg: 62.5,
      heightCm: 158,
      bpSystolic: 120,
      bpDiastolic: 80,
      pregnant: 'no',
      tbScreen: 'negative',
      symptoms: ['cough', 'fever'],
      arvStatus: 'continue',
      regimen: '1r-A',
      daysSupplied: 30,
      otherMedicines: [],
      pillsMissed: 0,
      investigationsOrdered: [],
      nextAppointment: '2025-07-15',
      notes: 'Doing well',
    });
    expect(Object.keys(visit)).not.toContain('arvReason');
  });

  it('fills absent multi-selects with empty lists', () => {
    const visit = valueOf(
      validateVisit(
        { date: today, visitType: 'home', tbScreen: 'not_done', arvStatus: 'not_on_art' },
        female,
      ),
    );
    expect(visit.symptoms).toEqual([]);
    expect(visit.otherMedicines).toEqual([]);
    expect(visit.investigationsOrdered).toEqual([]);
  });

  it('reports all problems at once', () => {
    const result = check({
      date: '2025-06-16',
      weightKg: '0.2',
      bpSystolic: '400',
      bpDiastolic: '80',
      pillsMissed: '2.5',
      regimen: 'XYZ',
      daysSupplied: '45',
      pregnant: 'maybe',
    });
    expect(rulesOf(result)).toEqual({
      date: 'date_in_future',
      weightKg: 'min_value',
      bpSystolic: 'max_value',
      pillsMissed: 'not_integer',
      regimen: 'not_in_list',
      daysSupplied: 'not_in_list',
      pregnant: 'not_in_list',
    });
  });

  it('refuses a visit date in the future or before the patient was born', () => {
    expectOnlyIssue(check({ date: '2025-06-16' }), 'date', 'date_in_future');
    const issue = expectOnlyIssue(check({ date: '1990-04-11' }), 'date', 'date_before_birth');
    expect(issue.params).toEqual({ date: '1990-04-12' });
    expect(check({ date: '1990-04-12', nextAppointment: '2025-07-01' }).ok).toBe(true);
    expectOnlyIssue(check({ date: '2025-04-31' }), 'date', 'invalid_date');
    expectOnlyIssue(check({ date: '' }), 'date', 'required');
  });

  it('bounds weight (0.5–250 kg) and height (30–250 cm)', () => {
    expect(valueOf(check({ weightKg: '0.5' })).weightKg).toBe(0.5);
    expect(valueOf(check({ weightKg: '250' })).weightKg).toBe(250);
    expect(valueOf(check({ weightKg: 70 })).weightKg).toBe(70);
    expect(expectOnlyIssue(check({ weightKg: '0.4' }), 'weightKg', 'min_value').params).toEqual({
      min: 0.5,
    });
    expectOnlyIssue(check({ weightKg: '250.1' }), 'weightKg', 'max_value');
    expectOnlyIssue(check({ weightKg: '62,5' }), 'weightKg', 'invalid_format');
    expectOnlyIssue(check({ weightKg: 'sixty' }), 'weightKg', 'invalid_format');
    expectOnlyIssue(check({ heightCm: '29' }), 'heightCm', 'min_value');
    expectOnlyIssue(check({ heightCm: '251' }), 'heightCm', 'max_value');
  });

  it('bounds blood pressure and wants systolic above diastolic, both or neither', () => {
    expectOnlyIssue(check({ bpSystolic: '49', bpDiastolic: '30' }), 'bpSystolic', 'min_value');
    expectOnlyIssue(check({ bpSystolic: '301', bpDiastolic: '80' }), 'bpSystolic', 'max_value');
    expectOnlyIssue(check({ bpSystolic: '120', bpDiastolic: '19' }), 'bpDiastolic', 'min_value');
    expectOnlyIssue(check({ bpSystolic: '250', bpDiastolic: '201' }), 'bpDiastolic', 'max_value');
    const inverted = expectOnlyIssue(
      check({ bpSystolic: '80', bpDiastolic: '80' }),
      'bpSystolic',
      'min_value',
    );
    expect(inverted.params).toEqual({ min: 81, field: 'bpDiastolic' });
    expectOnlyIssue(check({ bpSystolic: '120' }), 'bpDiastolic', 'required');
    expectOnlyIssue(check({ bpDiastolic: '80' }), 'bpSystolic', 'required');
  });

  it('takes pills missed as a whole number 0–90', () => {
    expect(valueOf(check({ pillsMissed: '90' })).pillsMissed).toBe(90);
    expectOnlyIssue(check({ pillsMissed: '-1' }), 'pillsMissed', 'min_value');
    expectOnlyIssue(check({ pillsMissed: '91' }), 'pillsMissed', 'max_value');
    expectOnlyIssue(check({ pillsMissed: '1.5' }), 'pillsMissed', 'not_integer');
  });

  it('allows pregnancy and breastfeeding only for female patients', () => {
    expect(valueOf(check({ pregnant: 'yes', breastfeeding: 'no' })).pregnant).toBe('yes');
    const issue = expectOnlyIssue(
      check({ pregnant: 'yes' }, male),
      'pregnant',
      'not_allowed_for_sex',
    );
    expect(issue.params).toEqual({ sex: 'male' });
    expectOnlyIssue(
      check({ breastfeeding: 'unknown' }, male),
      'breastfeeding',
      'not_allowed_for_sex',
    );
    expect(check({}, male).ok).toBe(true);
  });

  it('wants a reason, from that status’s own list, whenever ART is not simply continued', () => {
    const missing = expectOnlyIssue(
      check({ arvStatus: 'stop', regimen: '', daysSupplied: '', nextAppointment: '' }),
      'arvReason',
      'reason_required',
    );
    expect(missing.params).toEqual({ status: 'stop' });
    expectOnlyIssue(
      check({ arvStatus: 'switch', arvReason: 'patient_decision', regimen: '2f-A' }),
      'arvReason',
      'not_in_list',
    );
    expect(
      check({ arvStatus: 'switch', arvReason: 'virological_failure', regimen: '2f-A' }).ok,
    ).toBe(true);
    expect(check({ arvStatus: 'substitute', arvReason: 'toxicity', regimen: '1m-A' }).ok).toBe(
      true,
    );
    expect(check({ arvStatus: 'start', arvReason: 'newly_diagnosed' }).ok).toBe(true);
    expect(check({ arvStatus: 'restart', arvReason: 'returned_to_care' }).ok).toBe(true);
    expectOnlyIssue(check({ arvReason: 'toxicity' }), 'arvReason', 'not_applicable');
  });

  it('wants a known regimen whenever ARVs are given, and none when ART stops', () => {
    expectOnlyIssue(check({ regimen: 'TLD' }), 'regimen', 'not_in_list');
    expectOnlyIssue(check({ regimen: '', daysSupplied: '' }), 'regimen', 'required');
    expectOnlyIssue(
      check({ arvStatus: 'start', arvReason: 'newly_diagnosed', regimen: '', daysSupplied: '' }),
      'regimen',
      'required',
    );
    expectOnlyIssue(
      check({ arvStatus: 'stop', arvReason: 'toxicity', daysSupplied: '' }),
      'regimen',
      'not_applicable',
    );
    expect(check({ regimen: '?x', notes: 'TDF+3TC+RAL' }).ok).toBe(true);
  });

  it('takes 30, 60 or 90 days of supply, and only with a regimen', () => {
    expect(valueOf(check({ daysSupplied: '90' })).daysSupplied).toBe(90);
    expect(valueOf(check({ daysSupplied: 60 })).daysSupplied).toBe(60);
    expectOnlyIssue(check({ daysSupplied: '45' }), 'daysSupplied', 'not_in_list');
    expectOnlyIssue(
      check({ arvStatus: 'not_on_art', regimen: '', nextAppointment: '' }),
      'daysSupplied',
      'not_applicable',
    );
  });

  it('wants the next appointment whenever any medicine is dispensed', () => {
    expectOnlyIssue(check({ nextAppointment: '' }), 'nextAppointment', 'appointment_required');
    expectOnlyIssue(
      check({
        arvStatus: 'not_on_art',
        regimen: '',
        daysSupplied: '',
        otherMedicines: ['cotrimoxazole'],
        nextAppointment: '',
      }),
      'nextAppointment',
      'appointment_required',
    );
    expect(
      check({ arvStatus: 'not_on_art', regimen: '', daysSupplied: '', nextAppointment: '' }).ok,
    ).toBe(true);
  });

  it('refuses a next appointment in the past or more than a year ahead (today is fine)', () => {
    expect(valueOf(check({ nextAppointment: today })).nextAppointment).toBe(today);
    expectOnlyIssue(check({ nextAppointment: '2025-06-14' }), 'nextAppointment', 'date_in_past');
    expect(check({ nextAppointment: '2026-06-15' }).ok).toBe(true);
    const far = expectOnlyIssue(
      check({ nextAppointment: '2026-06-16' }),
      'nextAppointment',
      'date_after',
    );
    expect(far.params).toEqual({ date: '2026-06-15' });
  });

  it('checks multi-selects against the vocabularies', () => {
    const issue = expectOnlyIssue(
      check({ symptoms: ['cough', 'sneezing'] }),
      'symptoms',
      'not_in_list',
    );
    expect(issue.params).toEqual({ value: 'sneezing' });
    expectOnlyIssue(check({ otherMedicines: ['aspirin'] }), 'otherMedicines', 'not_in_list');
    expectOnlyIssue(
      check({ investigationsOrdered: ['x_ray'] }),
      'investigationsOrdered',
      'not_in_list',
    );
    expectOnlyIssue(check({ symptoms: 'cough' }), 'symptoms', 'invalid_format');
    expect(
      valueOf(check({ investigationsOrdered: ['viral_load', 'cd4'] })).investigationsOrdered,
    ).toEqual(['viral_load', 'cd4']);
  });

  it('wants a note saying which medicine when "other" is dispensed', () => {
    expectOnlyIssue(check({ otherMedicines: ['other'] }), 'otherMedicinesNote', 'required');
    expect(check({ otherMedicines: ['other'], otherMedicinesNote: 'Amoxicillin' }).ok).toBe(true);
  });

  it('reports missing required choices together', () => {
    const issues = issuesOf(validateVisit({ date: today }, female));
    expect(issues.map((issue) => `${issue.field}:${issue.rule}`)).toEqual([
      'visitType:required',
      'tbScreen:required',
      'arvStatus:required',
    ]);
  });
});
