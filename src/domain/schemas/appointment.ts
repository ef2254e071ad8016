import * as v from 'valibot';
import type { Result } from '../../lib/result';
import type { Appointment, FieldIssue } from '../types';
import { appointmentPurposes } from '../vocab/enums';
import { codesOf } from '../vocab/label';
import type { ValidationContext } from './context';
import { choice, limits, text, upcomingDate } from './fields';
import { rule } from './issues';
import { runForm } from './run';

function appointmentSchema(ctx: ValidationContext) {
  return v.object(
    {
      date: upcomingDate(ctx.today),
      purpose: choice(codesOf(appointmentPurposes)),
      note: v.optional(text(limits.noteMax)),
    },
    rule('required'),
  );
}

export function validateAppointment(
  raw: Record<string, unknown>,
  ctx: ValidationContext,
): Result<Appointment, FieldIssue[]> {
  return runForm(appointmentSchema(ctx), raw);
}
