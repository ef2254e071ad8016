/**
 * Bridge between valibot and `FieldIssue`. Every valibot action in ./fields.ts carries a
 * message made by `rule()`, which encodes the rule name and its parameters; `toFieldIssues`
 * decodes them. The UI never sees a valibot message, only `{field, rule, params}`.
 */
import type * as v from 'valibot';
import type { FieldIssue, ValidationRule } from '../types';

type Params = Record<string, string | number>;

const marker = 'pamoja-rule:';

export function rule(name: ValidationRule, params?: Params): string {
  return marker + JSON.stringify(params ? { rule: name, params } : { rule: name });
}

export function fieldIssue(field: string, name: ValidationRule, params?: Params): FieldIssue {
  return params ? { field, rule: name, params } : { field, rule: name };
}

function fieldOf(issue: v.BaseIssue<unknown>): string {
  const key = issue.path?.[0]?.key;
  return typeof key === 'string' ? key : '';
}

function decode(issue: v.BaseIssue<unknown>): FieldIssue {
  const field = fieldOf(issue);
  if (!issue.message.startsWith(marker)) {
    // An action without our message would be a programming slip; still report it as data.
    return fieldIssue(field, 'invalid_format');
  }
  const decoded = JSON.parse(issue.message.slice(marker.length)) as {
    rule: ValidationRule;
    params?: Params;
  };
  const offending = issue.input;
  if (
    decoded.rule === 'not_in_list' &&
    (typeof offending === 'string' || typeof offending === 'number')
  ) {
    return fieldIssue(field, decoded.rule, { ...decoded.params, value: offending });
  }
  return fieldIssue(field, decoded.rule, decoded.params);
}

/** One issue per field: the first, which is the one the user can act on first. */
export function firstIssuePerField(issues: Iterable<FieldIssue>): FieldIssue[] {
  const byField = new Map<string, FieldIssue>();
  for (const issue of issues) {
    if (!byField.has(issue.field)) byField.set(issue.field, issue);
  }
  return [...byField.values()];
}

export function toFieldIssues(issues: readonly v.BaseIssue<unknown>[]): FieldIssue[] {
  return firstIssuePerField(issues.map(decode));
}
