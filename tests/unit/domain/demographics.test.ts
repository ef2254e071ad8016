import { describe, expect, it } from 'vitest';
import { validateDemographics } from '../../../src/domain/schemas/demographics';
import { expectOnlyIssue, issuesOf, rulesOf, today, valueOf } from './helpers';

const ctx = { today };
const base = {
  givenName: 'Amina',
  familyName: 'Mushi',
  sex: 'female',
  birthDate: '1990-04-12',
};
const check = (changes: Record<string, unknown>) =>
  validateDemographics({ ...base, ...changes }, ctx);

describe('validateDemographics', () => {
  it('returns clean values: trimmed, numbers parsed, blank optional fields absent', () => {
    const result = valueOf(
      validateDemographics(
        {
          givenName: '  Amina  ',
          familyName: 'Mushi   Kweka',
          sex: 'female',
          birthDate: ' 1990-04-12 ',
          phone: ' +255 712 345 678 ',
          region: '',
          district: '   ',
          ward: 'Mbezi',
          maritalStatus: 'married',
          whoStage: '2',
          supporterKind: '',
          hivTestDate: '2015-01-20',
          artStartDate: '2015-02-01',
        },
        ctx,
      ),
    );
    expect(result).toEqual({
      givenName: 'Amina',
      familyName: 'Mushi Kweka',
      sex: 'female',
      birthDate: '1990-04-12',
      birthDateEstimated: false,
      phone: '+255 712 345 678',
      ward: 'Mbezi',
      maritalStatus: 'married',
      whoStage: 2,
      hivTestDate: '2015-01-20',
      artStartDate: '2015-02-01',
    });
    expect(Object.keys(result)).not.toContain('region');
    expect(Object.keys(result)).not.toContain('supporterKind');
  });

  it('reports every missing required field at once', () => {
    const result = validateDemographics({ givenName: '', familyName: ' ', phone: '12' }, ctx);
    expect(rulesOf(result)).toEqual({
      givenName: 'required',
      familyName: 'required',
      sex: 'required',
      birthDate: 'required',
      phone: 'too_short',
    });
  });

  it('accepts names with accents, hyphens and apostrophes', () => {
    for (const name of ['Zaïtuni', "N'gwena", 'Mary-Jane', 'O’Neil', 'Ñandú']) {
      expect(check({ givenName: name }).ok).toBe(true);
    }
  });

  it('refuses names with digits or symbols, and names over 60 characters', () => {
    expectOnlyIssue(check({ givenName: 'J0hn' }), 'givenName', 'invalid_format');
    expectOnlyIssue(check({ familyName: 'Mushi!' }), 'familyName', 'invalid_format');
    expectOnlyIssue(check({ familyName: '---' }), 'familyName', 'invalid_format');
    expect(check({ givenName: 'a'.repeat(60) }).ok).toBe(true);
    const issue = expectOnlyIssue(check({ givenName: 'a'.repeat(61) }), 'givenName', 'too_long');
    expect(issue.params).toEqual({ max: 60 });
    expectOnlyIssue(check({ givenName: 42 }), 'givenName', 'invalid_format');
  });

  it('refuses a birth date in the future, more than 120 years ago, or not a real date', () => {
    expectOnlyIssue(check({ birthDate: '2025-06-16' }), 'birthDate', 'date_in_future');
    expect(check({ birthDate: today }).ok).toBe(true);
    expect(check({ birthDate: '1905-06-15' }).ok).toBe(true);
    const old = expectOnlyIssue(check({ birthDate: '1905-06-14' }), 'birthDate', 'date_before');
    expect(old.params).toEqual({ date: '1905-06-15' });
    expectOnlyIssue(check({ birthDate: '1990-02-30' }), 'birthDate', 'invalid_date');
    expectOnlyIssue(check({ birthDate: '12/04/1990' }), 'birthDate', 'invalid_format');
  });

  it('reports one issue per field: a malformed date is not also "in the future"', () => {
    const issues = issuesOf(check({ birthDate: '2099-13-45' }));
    expect(issues).toEqual([{ field: 'birthDate', rule: 'invalid_date' }]);
  });

  it('keeps the estimated flag from the checkbox', () => {
    expect(valueOf(check({ birthDateEstimated: true })).birthDateEstimated).toBe(true);
    expectOnlyIssue(check({ birthDateEstimated: 'yes' }), 'birthDateEstimated', 'invalid_format');
  });

  it('checks phone numbers: 9–15 digits, optional leading +, spaces allowed', () => {
    expect(valueOf(check({ phone: '0712345678' })).phone).toBe('0712345678');
    expect(valueOf(check({ phone: '+255  712 345678' })).phone).toBe('+255 712 345678');
    expectOnlyIssue(check({ phone: '0712-345-678' }), 'phone', 'invalid_format');
    expectOnlyIssue(check({ phone: '071234 56+' }), 'phone', 'invalid_format');
    expectOnlyIssue(check({ phone: '07123456' }), 'phone', 'too_short');
    expectOnlyIssue(check({ phone: '+2557123456789012' }), 'phone', 'too_long');
    expectOnlyIssue(check({ supporterPhone: 'abc' }), 'supporterPhone', 'invalid_format');
  });

  it('refuses HIV test and ART start dates before birth or in the future', () => {
    expectOnlyIssue(check({ hivTestDate: '1989-12-31' }), 'hivTestDate', 'date_before_birth');
    expectOnlyIssue(check({ artStartDate: '1990-04-11' }), 'artStartDate', 'date_before_birth');
    expectOnlyIssue(check({ hivTestDate: '2025-06-16' }), 'hivTestDate', 'date_in_future');
    expectOnlyIssue(check({ artStartDate: '2026-01-01' }), 'artStartDate', 'date_in_future');
  });

  it('refuses an ART start before the HIV test (a date in the wrong field)', () => {
    const issue = expectOnlyIssue(
      check({ hivTestDate: '2016-03-01', artStartDate: '2016-02-28' }),
      'artStartDate',
      'date_before',
    );
    expect(issue.params).toEqual({ field: 'hivTestDate', date: '2016-03-01' });
    expect(check({ hivTestDate: '2016-03-01', artStartDate: '2016-03-01' }).ok).toBe(true);
  });

  it('checks choices against the vocabularies', () => {
    const issue = expectOnlyIssue(check({ sex: 'other' }), 'sex', 'not_in_list');
    expect(issue.params).toEqual({ value: 'other' });
    expectOnlyIssue(check({ maritalStatus: 'engaged' }), 'maritalStatus', 'not_in_list');
    expectOnlyIssue(check({ preferredLanguage: 'fr' }), 'preferredLanguage', 'not_in_list');
    expectOnlyIssue(check({ whoStage: '5' }), 'whoStage', 'not_in_list');
    expectOnlyIssue(check({ whoStage: 'two' }), 'whoStage', 'invalid_format');
    expect(valueOf(check({ whoStage: 4 })).whoStage).toBe(4);
  });

  it('refuses supporter details when the supporter kind is "none"', () => {
    expectOnlyIssue(
      check({ supporterKind: 'none', supporterName: 'Juma' }),
      'supporterName',
      'not_applicable',
    );
    expect(
      valueOf(check({ supporterKind: 'family', supporterName: 'Juma Mushi' })).supporterName,
    ).toBe('Juma Mushi');
  });

  it('ignores fields the form does not know, including prototype keys', () => {
    const raw = JSON.parse('{"__proto__": {"polluted": true}, "extra": "x"}') as Record<
      string,
      unknown
    >;
    const result = valueOf(validateDemographics({ ...raw, ...base }, ctx));
    expect(result).not.toHaveProperty('extra');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
