import * as v from 'valibot';
import { ok, type Result } from '../../lib/result';
import type { FieldIssue, Tracing } from '../types';
import { tracingMethods, tracingOutcomes } from '../vocab/enums';
import { codesOf } from '../vocab/label';
import type { EncounterContext } from './context';
import { choice, limits, pastDate, text } from './fields';
import { fieldIssue, rule } from './issues';
import { runForm, type CrossRule } from './run';

/** A reached checkbox may arrive as a boolean or as the radio value `'yes'`/`'no'`. */
function reachedAnswer() {
  return v.pipe(
    v.union([v.boolean(), v.picklist(['yes', 'no'])], rule('invalid_format')),
    v.transform((value: boolean | 'yes' | 'no') => value === true || value === 'yes'),
  );
}

function tracingSchema(ctx: EncounterContext) {
  return v.object(
    {
      date: pastDate(ctx.today, ctx.birthDate),
      method: choice(codesOf(tracingMethods)),
      reached: reachedAnswer(),
      outcome: v.optional(choice(codesOf(tracingOutcomes))),
      note: v.optional(text(limits.noteMax)),
    },
    rule('required'),
  );
}

type TracingFields = Omit<Tracing, 'facilityCode'>;

const tracingRules: CrossRule<TracingFields>[] = [
  {
    // Someone reached says what will happen; nobody reached can only mean "not found" (or
    // nothing yet). A "died" outcome from an attempt that reached nobody is hearsay the
    // form does not record as a finding.
    reads: ['reached', 'outcome'],
    check({ reached, outcome }) {
      if (reached === true && outcome === undefined) return fieldIssue('outcome', 'required');
      if (reached === true && outcome === 'not_found') {
        return fieldIssue('outcome', 'not_applicable', { field: 'reached' });
      }
      if (reached === false && outcome !== undefined && outcome !== 'not_found') {
        return fieldIssue('outcome', 'not_applicable', { field: 'reached' });
      }
      return undefined;
    },
  },
];

/** A tracing attempt, recorded by `ctx.facilityCode` (whoever traced, at any facility). */
export function validateTracing(
  raw: Record<string, unknown>,
  ctx: EncounterContext,
): Result<Tracing, FieldIssue[]> {
  const result = runForm(tracingSchema(ctx), raw, tracingRules);
  return result.ok ? ok({ ...result.value, facilityCode: ctx.facilityCode }) : result;
}
