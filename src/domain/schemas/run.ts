import * as v from 'valibot';
import { err, ok, type Result } from '../../lib/result';
import type { FieldIssue } from '../types';
import { normalizeForm } from './form';
import { firstIssuePerField, toFieldIssues } from './issues';

/**
 * A rule across fields (e.g. systolic above diastolic). It reads only fields that passed their
 * own checks, so a malformed value never produces a second, confusing issue.
 */
export interface CrossRule<T> {
  reads: readonly (keyof T & string)[];
  check(data: Partial<T>): FieldIssue | undefined;
}

type ObjectSchema = v.GenericSchema<unknown, object>;

/**
 * Normalise the raw form, check every field, then every cross-field rule, and report all
 * issues at once (one per field).
 */
export function runForm<TSchema extends ObjectSchema>(
  schema: TSchema,
  raw: Record<string, unknown>,
  crossRules: readonly CrossRule<v.InferOutput<TSchema>>[] = [],
): Result<v.InferOutput<TSchema>, FieldIssue[]> {
  // abortPipeEarly: a field stops at its first problem ("not a date" rather than also "in
  // the future"); other fields are still all checked.
  const parsed = v.safeParse(schema, normalizeForm(raw), { abortPipeEarly: true });
  const fieldIssues = parsed.issues ? toFieldIssues(parsed.issues) : [];
  const failed = new Set(fieldIssues.map((issue) => issue.field));
  // On failure valibot still returns the object with every field it could check; fields that
  // failed hold raw values, which is why cross rules skip them.
  const data = parsed.output as Partial<v.InferOutput<TSchema>>;
  const crossIssues = crossRules
    .filter((crossRule) => crossRule.reads.every((field) => !failed.has(field)))
    .map((crossRule) => crossRule.check(data))
    .filter((issue): issue is FieldIssue => issue !== undefined);
  const issues = firstIssuePerField([...fieldIssues, ...crossIssues]);
  return issues.length === 0 ? ok(parsed.output as v.InferOutput<TSchema>) : err(issues);
}
