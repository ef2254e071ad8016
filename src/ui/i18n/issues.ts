/**
 * Validation issues as sentences. The service reports `{field, rule, params}`; the sentence names
 * the field with the same label the form shows, so the clinician can find it.
 */
import type { FieldIssue } from '../../domain/types';
import type { MessageKey, Translate } from './keys';
import { en } from './en';

const fieldNames = new Set(Object.keys(en.fields));
const rulesVsField = new Set(Object.keys(en.errorsVsField));

export function fieldLabel(field: string, t: Translate): string {
  return fieldNames.has(field) ? t(`fields.${field}` as MessageKey) : field;
}

export function issueMessage(issue: FieldIssue, t: Translate): string {
  const { field: otherField, ...params } = issue.params ?? {};
  const values = { ...params, field: fieldLabel(issue.field, t) };
  if (typeof otherField === 'string' && rulesVsField.has(issue.rule)) {
    const key = `errorsVsField.${issue.rule}` as MessageKey;
    return t(key, { ...values, other: fieldLabel(otherField, t) });
  }
  const bounded =
    (issue.rule === 'min_value' || issue.rule === 'max_value') &&
    params.min !== undefined &&
    params.max !== undefined;
  return t(bounded ? 'errorRange' : `errors.${issue.rule}`, values);
}
