import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FieldIssue, ValidationRule } from '../../../src/domain/types';
import { en } from '../../../src/ui/i18n/en';
import { enScreens } from '../../../src/ui/i18n/en-screens';
import { sw } from '../../../src/ui/i18n/sw';
import { loadLanguage, locale, t } from '../../../src/ui/i18n/i18n.svelte';
import { issueMessage } from '../../../src/ui/i18n/issues';
import type { MessageKey } from '../../../src/ui/i18n/keys';

// Kiswahili is loaded on demand in the app (its own chunk); these tests read it at once.
beforeAll(() => loadLanguage('sw'));

/** Typed as a record so adding a rule to the domain without listing it here fails to compile. */
const everyRule: Record<ValidationRule, true> = {
  required: true,
  invalid_format: true,
  invalid_date: true,
  date_in_future: true,
  date_in_past: true,
  date_before_birth: true,
  date_before: true,
  date_after: true,
  too_short: true,
  too_long: true,
  min_value: true,
  max_value: true,
  not_integer: true,
  not_in_list: true,
  not_allowed_for_sex: true,
  reason_required: true,
  appointment_required: true,
  digits_exact: true,
  not_applicable: true,
};
const rules = Object.keys(everyRule) as ValidationRule[];

function flatten(node: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(node)) {
    const path = prefix + key;
    if (typeof value === 'string') out.set(path, value);
    else if (typeof value === 'object' && value !== null)
      for (const [inner, text] of flatten(value as object, `${path}.`)) out.set(inner, text);
    else throw new Error(`${path} is neither a string nor a group`);
  }
  return out;
}

// English is the first screen's strings and the screens' own, fetched with them (en-screens.ts).
const enKeys = flatten({ ...en, ...enScreens });
const swKeys = flatten(sw);
const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

afterEach(() => locale.set('en'));

describe('English and Swahili strings', () => {
  it('have exactly the same keys', () => {
    expect([...swKeys.keys()].sort()).toEqual([...enKeys.keys()].sort());
  });

  it('have no empty strings', () => {
    for (const [key, text] of [...enKeys, ...swKeys]) expect(text.trim(), key).not.toBe('');
  });

  it('use the same placeholders in both languages', () => {
    for (const [key, text] of enKeys)
      expect(placeholders(swKeys.get(key) ?? ''), key).toEqual(placeholders(text));
  });

  it('have a message for every validation rule, naming the field', () => {
    for (const rule of rules) {
      for (const strings of [enKeys, swKeys]) {
        const text = strings.get(`errors.${rule}`);
        expect(text, rule).toBeDefined();
      }
    }
  });

  it('are really translated: most Swahili strings differ from English', () => {
    // Codes, units and names (e.g. "Pamoja", "{{field}}: {{from}} → {{to}}") may be identical.
    const same = [...enKeys].filter(([key, text]) => swKeys.get(key) === text).map(([key]) => key);
    expect(same.length / enKeys.size).toBeLessThan(0.05);
  });
});

describe('t()', () => {
  it('follows the current language', () => {
    expect(t('common.save')).toBe('Save');
    locale.set('sw');
    expect(t('common.save')).toBe('Hifadhi');
    expect(t('fields.birthDate')).toBe('Tarehe ya kuzaliwa');
  });

  it('chooses plural forms by count', () => {
    expect(t('home.resultCount', { count: 1 })).toBe('1 patient found');
    expect(t('home.resultCount', { count: 3 })).toBe('3 patients found');
    expect(t('home.resultCount', { count: 0 })).toBe('0 patients found');
    locale.set('sw');
    expect(t('home.resultCount', { count: 1 })).toBe('Mgonjwa 1 amepatikana');
    expect(t('home.resultCount', { count: 0 })).toBe('Wagonjwa 0 wamepatikana');
    expect(t('home.resultCount', { count: 1.5 })).toBe('Wagonjwa 1.5 wamepatikana');
  });

  // What i18next did at the edges, kept when the app's own lookup replaced it (issue 9).
  it('fills each placeholder once, never from a value, and leaves one with no parameter', () => {
    expect(t('errors.date_before', { field: 'Weight', date: '2020-01-01' })).toBe(
      'Weight cannot be before 2020-01-01.',
    );
    // A typed name containing braces is shown as typed, not interpolated again.
    expect(t('errors.date_before', { field: 'A {{date}}', date: 'x' })).toBe(
      'A {{date}} cannot be before x.',
    );
    expect(t('errors.date_before', { field: 'Weight', date: undefined })).toBe(
      'Weight cannot be before .',
    );
    expect(t('errors.date_before', { field: 'Weight' })).toBe('Weight cannot be before {{date}}.');
  });

  it('shows an unknown key as the key, in either language', () => {
    expect(t('trust.problem.notAProblem' as MessageKey)).toBe('trust.problem.notAProblem');
    locale.set('sw');
    expect(t('trust.problem.notAProblem' as MessageKey)).toBe('trust.problem.notAProblem');
    // A group is not a message.
    expect(t('fields' as MessageKey)).toBe('fields');
  });
});

describe('validation messages', () => {
  // Parameters as the domain's validators send them (src/domain/schemas).
  const paramsByRule: Partial<Record<ValidationRule, FieldIssue['params']>> = {
    date_before_birth: { date: '1990-05-01' },
    date_before: { date: '1905-01-01' },
    date_after: { date: '2026-01-01' },
    too_short: { min: 9 },
    too_long: { max: 60 },
    min_value: { min: 0.5 },
    max_value: { max: 250 },
    digits_exact: { digits: 8 },
    not_in_list: { value: 'x' },
  };

  for (const language of ['en', 'sw'] as const) {
    it(`fill every placeholder in ${language}`, () => {
      locale.set(language);
      for (const rule of rules) {
        const issue: FieldIssue = { field: 'weightKg', rule, params: paramsByRule[rule] ?? {} };
        const message = issueMessage(issue, t);
        expect(message, rule).not.toMatch(/\{\{|\}\}/);
        if (rule !== 'reason_required' && rule !== 'appointment_required')
          expect(message, rule).toContain(t('fields.weightKg'));
      }
    });
  }

  it('name the other field when the rule compares two fields', () => {
    const message = issueMessage(
      {
        field: 'artStartDate',
        rule: 'date_before',
        params: { field: 'hivTestDate', date: '2020-03-01' },
      },
      t,
    );
    expect(message).toBe('ART start date cannot be before Date of HIV+ test (2020-03-01).');
    locale.set('sw');
    expect(
      issueMessage({ field: 'toFacility', rule: 'not_applicable', params: { field: 'status' } }, t),
    ).toBe('Amehamia kituo: haiendani na chaguo hili la Hali. Acha wazi.');
  });

  it('give both limits when the issue has both', () => {
    const message = issueMessage(
      { field: 'deviceSlot', rule: 'max_value', params: { min: 1, max: 99 } },
      t,
    );
    expect(message).toBe('Device number at this facility must be between 1 and 99.');
  });

  it('fall back to the raw field name for a field the UI does not know', () => {
    expect(issueMessage({ field: 'futureField', rule: 'required' }, t)).toBe(
      'futureField is needed.',
    );
  });
});
