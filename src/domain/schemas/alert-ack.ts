import * as v from 'valibot';
import type { Result } from '../../lib/result';
import type { AlertAck, FieldIssue } from '../types';
import { alertActions } from '../vocab/enums';
import { codesOf } from '../vocab/label';
import type { ValidationContext } from './context';
import { choice, limits, pastDate, text } from './fields';
import { rule } from './issues';
import { runForm } from './run';

/** Rule ids and alert keys are machine-made (care/evaluate.ts); bound them anyway. */
const keyMax = 200;

/** A reason short enough to be a word or two is not a reason a reviewer can judge. */
export const alertReasonMin = 3;

function alertAckSchema(ctx: ValidationContext) {
  return v.object(
    {
      ruleId: v.pipe(text(limits.nameMax), v.minLength(1, rule('required'))),
      alertKey: v.pipe(text(keyMax), v.minLength(1, rule('required'))),
      action: choice(codesOf(alertActions)),
      // Both acknowledging and overriding carry a reason: the record must say why a clinician
      // set an alert aside (domain.md: "the override is recorded").
      reason: v.pipe(
        text(limits.noteMax),
        v.minLength(alertReasonMin, rule('too_short', { min: alertReasonMin })),
      ),
      date: pastDate(ctx.today),
    },
    rule('required'),
  );
}

export function validateAlertAck(
  raw: Record<string, unknown>,
  ctx: ValidationContext,
): Result<AlertAck, FieldIssue[]> {
  return runForm(alertAckSchema(ctx), raw);
}
