import { describe, expect, it } from 'vitest';
import type { CtcId, EntryId } from '../../../src/domain/types';
import { hrefOf, parseHash, type Route } from '../../../src/ui/state/routes';
import { toServiceInput } from '../../../src/ui/forms/values';
import { emptyVisit, hiddenVisitFields } from '../../../src/ui/forms/visit';
import { hiddenDemographics, emptyDemographics } from '../../../src/ui/forms/demographics';
import { formatCtcId } from '../../../src/ui/format';
import type { IsoDate } from '../../../src/domain/types';

const ctcId = '01020003000017' as CtcId;

describe('hash routes', () => {
  const routes: Route[] = [
    { name: 'home' },
    { name: 'register' },
    { name: 'clinic' },
    { name: 'settings' },
    { name: 'patient', ctcId },
    { name: 'visit', ctcId },
    { name: 'visit', ctcId, supersedes: 'e-1/x' as EntryId },
    { name: 'result', ctcId, supersedes: 'abc' as EntryId },
    { name: 'appointment', ctcId },
    { name: 'edit', ctcId },
    { name: 'status', ctcId },
  ];

  it('read back every route they write', () => {
    for (const route of routes) expect(parseHash(hrefOf(route))).toEqual(route);
  });

  it('send anything unknown to "not found" rather than a wrong patient', () => {
    for (const hash of [
      '#/patient/123',
      '#/patient/01020003000017/delete',
      '#/nowhere',
      '#/patient',
    ])
      expect(parseHash(hash).name, hash).toBe('not-found');
    expect(parseHash('')).toEqual({ name: 'home' });
  });
});

describe('form input sent to the service', () => {
  it('keeps typed text as typed and leaves out hidden fields', () => {
    const input = toServiceInput(
      { weightKg: '62,5', pregnant: 'yes', symptoms: ['cough'], birthDateEstimated: false },
      ['pregnant'],
    );
    expect(input).toEqual({ weightKg: '62,5', symptoms: ['cough'], birthDateEstimated: false });
  });

  it('hides pregnancy questions for male patients and the reason for "continue"', () => {
    const values = { ...emptyVisit('2025-01-10' as IsoDate), arvStatus: 'continue' };
    expect(hiddenVisitFields(values, 'male')).toEqual(['pregnant', 'breastfeeding', 'arvReason']);
    expect(hiddenVisitFields(values, 'female')).toEqual(['arvReason']);
  });

  it('asks for a reason and hides the regimen when ARVs are stopped', () => {
    const values = { ...emptyVisit('2025-01-10' as IsoDate), arvStatus: 'stop' };
    expect(hiddenVisitFields(values, 'female')).toEqual(['regimen', 'daysSupplied', 'quantity']);
  });

  it('drops supporter details when there is no supporter', () => {
    expect(hiddenDemographics({ ...emptyDemographics, supporterKind: 'none' })).toEqual([
      'supporterName',
      'supporterPhone',
    ]);
    expect(hiddenDemographics({ ...emptyDemographics, supporterKind: 'family' })).toEqual([]);
  });
});

describe('CTC ID on screen', () => {
  it('is grouped region-district-facility-serial', () => {
    expect(formatCtcId(ctcId)).toBe('01-02-0003-000017');
  });
});
