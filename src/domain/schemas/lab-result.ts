import * as v from 'valibot';
import { err, ok, type Result } from '../../lib/result';
import { isAfterDate } from '../dates';
import type { FieldIssue, LabResult, ResultValue } from '../types';
import { findInvestigation, investigations } from '../vocab/investigations';
import { codesOf } from '../vocab/label';
import type { EncounterContext } from './context';
import { choice, decimal, limits, pastDate, text } from './fields';
import { fieldIssue, rule, toFieldIssues } from './issues';
import { runForm, type CrossRule } from './run';

/**
 * A result value as typed, read against its investigation's shape. A numeric result takes its
 * unit from the vocabulary, never from the form.
 */
export function interpretResultValue(
  investigationCode: string,
  raw: unknown,
): Result<ResultValue, FieldIssue> {
  const investigation = findInvestigation(investigationCode);
  if (!investigation)
    return err(fieldIssue('investigation', 'not_in_list', { value: investigationCode }));
  const text = typeof raw === 'string' ? raw.trim() : raw;
  if (text === '' || text === undefined || text === null)
    return err(fieldIssue('value', 'required'));
  const { shape } = investigation;
  if (shape.kind === 'categorical') {
    return typeof text === 'string' && shape.values.some((item) => item.code === text)
      ? ok({ kind: 'categorical', value: text })
      : err(
          typeof text === 'string'
            ? fieldIssue('value', 'not_in_list', { value: text })
            : fieldIssue('value', 'invalid_format'),
        );
  }
  const parsed = v.safeParse(decimal(shape), text, { abortPipeEarly: true });
  if (parsed.success) return ok({ kind: 'numeric', value: parsed.output, unit: shape.unit });
  const [first] = toFieldIssues(parsed.issues);
  return err({ ...(first ?? fieldIssue('value', 'invalid_format')), field: 'value' });
}

function labResultSchema(ctx: EncounterContext) {
  return v.object(
    {
      investigation: choice(codesOf(investigations)),
      sampleDate: pastDate(ctx.today, ctx.birthDate),
      resultDate: pastDate(ctx.today, ctx.birthDate),
      // Read against the investigation below, once the investigation is known to be valid.
      value: v.union([v.string(), v.number()], rule('invalid_format')),
      note: v.optional(text(limits.noteMax)),
    },
    rule('required'),
  );
}

type LabResultFields = Omit<LabResult, 'facilityCode' | 'value'> & { value: string | number };

const labResultRules: CrossRule<LabResultFields>[] = [
  {
    reads: ['sampleDate', 'resultDate'],
    check({ sampleDate, resultDate }) {
      return sampleDate && resultDate && isAfterDate(sampleDate, resultDate)
        ? fieldIssue('sampleDate', 'date_after', { field: 'resultDate', date: resultDate })
        : undefined;
    },
  },
  {
    reads: ['investigation', 'value'],
    check({ investigation, value }) {
      if (investigation === undefined || value === undefined) return undefined;
      const interpreted = interpretResultValue(investigation, value);
      return interpreted.ok ? undefined : interpreted.error;
    },
  },
];

/** A result form; the result may be recorded at a facility other than the one that ordered it. */
export function validateLabResult(
  raw: Record<string, unknown>,
  ctx: EncounterContext,
): Result<LabResult, FieldIssue[]> {
  const result = runForm(labResultSchema(ctx), raw, labResultRules);
  if (!result.ok) return result;
  const value = interpretResultValue(result.value.investigation, result.value.value);
  if (!value.ok) return err([value.error]);
  return ok({ ...result.value, value: value.value, facilityCode: ctx.facilityCode });
}
