import * as v from 'valibot';
import type { Result } from '../../lib/result';
import type { FieldIssue, StatusChange } from '../types';
import { patientStatuses } from '../vocab/enums';
import { codesOf } from '../vocab/label';
import type { PatientContext } from './context';
import { choice, limits, pastDate, text } from './fields';
import { fieldIssue, rule } from './issues';
import { runForm, type CrossRule } from './run';

function statusChangeSchema(ctx: PatientContext) {
  return v.object(
    {
      status: choice(codesOf(patientStatuses)),
      date: pastDate(ctx.today, ctx.birthDate),
      toFacility: v.optional(text(limits.shortTextMax)),
      note: v.optional(text(limits.noteMax)),
    },
    rule('required'),
  );
}

const statusChangeRules: CrossRule<StatusChange>[] = [
  {
    // A transfer without a destination cannot be followed up by the receiving clinic.
    reads: ['status', 'toFacility'],
    check({ status, toFacility }) {
      if (status === 'transferred_out' && toFacility === undefined) {
        return fieldIssue('toFacility', 'required');
      }
      if (status !== undefined && status !== 'transferred_out' && toFacility !== undefined) {
        return fieldIssue('toFacility', 'not_applicable', { field: 'status' });
      }
      return undefined;
    },
  },
];

export function validateStatusChange(
  raw: Record<string, unknown>,
  ctx: PatientContext,
): Result<StatusChange, FieldIssue[]> {
  return runForm(statusChangeSchema(ctx), raw, statusChangeRules);
}
