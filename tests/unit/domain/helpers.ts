import { expect } from 'vitest';
import type { Result } from '../../../src/lib/result';
import type { FacilityCode, FieldIssue, IsoDate } from '../../../src/domain/types';

export const today = '2025-06-15' as IsoDate;
export const facility = '01020100' as FacilityCode;
export const iso = (text: string) => text as IsoDate;

export function valueOf<T>(result: Result<T, FieldIssue[]>): T {
  if (!result.ok) throw new Error(`expected valid, got ${JSON.stringify(result.error)}`);
  return result.value;
}

export function issuesOf<T>(result: Result<T, FieldIssue[]>): FieldIssue[] {
  if (result.ok) throw new Error(`expected issues, got ${JSON.stringify(result.value)}`);
  return result.error;
}

/** The rule reported for each field, e.g. `{ weightKg: 'min_value' }`. */
export function rulesOf<T>(result: Result<T, FieldIssue[]>): Record<string, string> {
  return Object.fromEntries(issuesOf(result).map((issue) => [issue.field, issue.rule]));
}

export function expectOnlyIssue<T>(
  result: Result<T, FieldIssue[]>,
  field: string,
  rule: FieldIssue['rule'],
): FieldIssue {
  const issues = issuesOf(result);
  expect(issues.map((issue) => `${issue.field}:${issue.rule}`)).toEqual([`${field}:${rule}`]);
  return issues[0] as FieldIssue;
}
