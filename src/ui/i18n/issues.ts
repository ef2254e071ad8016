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
  if (fieldNames.has(field)) return t(`fields.${field}` as MessageKey);
  // The care forms' own fields (tracing, alert answers) are labelled in their section, which
  // arrives with those screens (en-screens.ts); a key not found comes back as the key.
  const careKey = `care.fields.${field}` as MessageKey;
  const care = t(careKey);
  return care === careKey ? field : care;
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
