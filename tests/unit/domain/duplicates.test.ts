import { describe, expect, it } from 'vitest';
import { isLikelySamePerson, type PersonKey } from '../../../src/domain/duplicates';
import { iso } from './helpers';

const amina: PersonKey = {
  givenName: 'Amina',
  familyName: 'Mushi',
  sex: 'female',
  birthDate: iso('1990-04-12'),
};

describe('isLikelySamePerson', () => {
  it('matches names regardless of case, accents and extra spaces', () => {
    expect(isLikelySamePerson(amina, { ...amina, givenName: ' AMÍNA ', familyName: 'mushi' })).toBe(
      true,
    );
  });

  it('matches when given and family names were recorded the other way round', () => {
    expect(isLikelySamePerson(amina, { ...amina, givenName: 'Mushi', familyName: 'Amina' })).toBe(
      true,
    );
  });

  it('does not match a different name, sex or birth date', () => {
    expect(isLikelySamePerson(amina, { ...amina, givenName: 'Aminata' })).toBe(false);
    expect(isLikelySamePerson(amina, { ...amina, sex: 'male' })).toBe(false);
    expect(isLikelySamePerson(amina, { ...amina, birthDate: iso('1990-04-13') })).toBe(false);
  });

  it('compares birth years when one side knows only the year', () => {
    const row = {
      givenName: 'Amina',
      familyName: 'Mushi',
      sex: 'female' as const,
      birthYear: 1990,
    };
    expect(isLikelySamePerson(amina, row)).toBe(true);
    expect(isLikelySamePerson(row, amina)).toBe(true);
    expect(isLikelySamePerson(amina, { ...row, birthYear: 1991 })).toBe(false);
  });

  it('does not match on names alone when neither birth date nor year is known', () => {
    const noBirth = { givenName: 'Amina', familyName: 'Mushi', sex: 'female' as const };
    expect(isLikelySamePerson(noBirth, noBirth)).toBe(false);
  });
});
