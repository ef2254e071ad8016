import * as v from 'valibot';
import { ok, type Result } from '../../lib/result';
import type { ArvStatus, FieldIssue, Visit } from '../types';
import { arvReasonsByStatus } from '../vocab/arv-status';
import {
  adherenceLevels,
  arvStatusLabels,
  daysSuppliedOptions,
  tbScreenResults,
  visitTypes,
  yesNoUnknown,
} from '../vocab/enums';
import { investigations } from '../vocab/investigations';
import { codesOf } from '../vocab/label';
import { otherMedicineCode, otherMedicines } from '../vocab/medicines';
import { regimens } from '../vocab/regimens';
import { symptoms } from '../vocab/symptoms';
import type { EncounterContext, PatientContext } from './context';
import {
  choice,
  codeList,
  decimal,
  limits,
  numberChoice,
  pastDate,
  text,
  upcomingDate,
} from './fields';
import { fieldIssue, rule } from './issues';
import { runForm, type CrossRule } from './run';

export const visitBounds = {
  weightKg: { min: 0.5, max: 250 },
  heightCm: { min: 30, max: 250 },
  bpSystolic: { min: 50, max: 300, integer: true },
  bpDiastolic: { min: 20, max: 200, integer: true },
  quantity: { min: 1, max: 99, integer: true },
  pillsMissed: { min: 0, max: 90, integer: true },
} as const;

/** Statuses under which the patient takes ARVs home from this visit. */
const dispensingStatuses: readonly ArvStatus[] = [
  'start',
  'continue',
  'substitute',
  'switch',
  'restart',
];

function femaleOnly(ctx: PatientContext) {
  return v.pipe(
    choice(codesOf(yesNoUnknown)),
    v.check(() => ctx.sex !== 'male', rule('not_allowed_for_sex', { sex: 'male' })),
  );
}

function visitSchema(ctx: EncounterContext) {
  return v.object(
    {
      date: pastDate(ctx.today, ctx.birthDate),
      visitType: choice(codesOf(visitTypes)),
      weightKg: v.optional(decimal(visitBounds.weightKg)),
      heightCm: v.optional(decimal(visitBounds.heightCm)),
      bpSystolic: v.optional(decimal(visitBounds.bpSystolic)),
      bpDiastolic: v.optional(decimal(visitBounds.bpDiastolic)),
      pregnant: v.optional(femaleOnly(ctx)),
      breastfeeding: v.optional(femaleOnly(ctx)),
      tbScreen: choice(codesOf(tbScreenResults)),
      symptoms: codeList(codesOf(symptoms)),
      otherSymptoms: v.optional(text(limits.shortTextMax * 2)),
      comorbidities: v.optional(text(limits.noteMax)),
      arvStatus: choice(codesOf(arvStatusLabels)),
      arvReason: v.optional(text(limits.nameMax)),
      regimen: v.optional(choice(codesOf(regimens))),
      daysSupplied: v.optional(numberChoice(codesOf(daysSuppliedOptions))),
      quantity: v.optional(decimal(visitBounds.quantity)),
      otherMedicines: codeList(codesOf(otherMedicines)),
      otherMedicinesNote: v.optional(text(limits.shortTextMax * 2)),
      adherence: v.optional(choice(codesOf(adherenceLevels))),
      pillsMissed: v.optional(decimal(visitBounds.pillsMissed)),
      investigationsOrdered: codeList(codesOf(investigations)),
      nextAppointment: v.optional(upcomingDate(ctx.today)),
      notes: v.optional(text(limits.noteMax)),
    },
    rule('required'),
  );
}

type VisitFields = Omit<Visit, 'facilityCode'>;

const visitRules: CrossRule<VisitFields>[] = [
  {
    // Half a blood pressure is not a reading.
    reads: ['bpSystolic', 'bpDiastolic'],
    check({ bpSystolic, bpDiastolic }) {
      if (bpSystolic !== undefined && bpDiastolic === undefined) {
        return fieldIssue('bpDiastolic', 'required');
      }
      if (bpDiastolic !== undefined && bpSystolic === undefined) {
        return fieldIssue('bpSystolic', 'required');
      }
      return undefined;
    },
  },
  {
    reads: ['bpSystolic', 'bpDiastolic'],
    check({ bpSystolic, bpDiastolic }) {
      return bpSystolic !== undefined && bpDiastolic !== undefined && bpSystolic <= bpDiastolic
        ? fieldIssue('bpSystolic', 'min_value', { min: bpDiastolic + 1, field: 'bpDiastolic' })
        : undefined;
    },
  },
  {
    reads: ['arvStatus', 'arvReason'],
    check({ arvStatus, arvReason }) {
      if (arvStatus === undefined) return undefined;
      const allowed = arvReasonsByStatus[arvStatus];
      if (allowed.length === 0) {
        return arvReason === undefined
          ? undefined
          : fieldIssue('arvReason', 'not_applicable', { field: 'arvStatus' });
      }
      if (arvReason === undefined) {
        return fieldIssue('arvReason', 'reason_required', { status: arvStatus });
      }
      return allowed.includes(arvReason)
        ? undefined
        : fieldIssue('arvReason', 'not_in_list', { value: arvReason, status: arvStatus });
    },
  },
  {
    reads: ['arvStatus', 'regimen'],
    check({ arvStatus, regimen }) {
      if (arvStatus === undefined) return undefined;
      const dispensing = dispensingStatuses.includes(arvStatus);
      if (dispensing && regimen === undefined) return fieldIssue('regimen', 'required');
      if (!dispensing && regimen !== undefined) {
        return fieldIssue('regimen', 'not_applicable', { field: 'arvStatus' });
      }
      return undefined;
    },
  },
  {
    reads: ['regimen', 'daysSupplied'],
    check({ regimen, daysSupplied }) {
      return daysSupplied !== undefined && regimen === undefined
        ? fieldIssue('daysSupplied', 'not_applicable', { field: 'regimen' })
        : undefined;
    },
  },
  {
    // Whoever leaves with medicine must know when to come back (domain.md, follow-up).
    reads: ['regimen', 'otherMedicines', 'nextAppointment'],
    check({ regimen, otherMedicines: others, nextAppointment }) {
      const dispensed = regimen !== undefined || (others?.length ?? 0) > 0;
      return dispensed && nextAppointment === undefined
        ? fieldIssue('nextAppointment', 'appointment_required')
        : undefined;
    },
  },
  {
    reads: ['otherMedicines', 'otherMedicinesNote'],
    check({ otherMedicines: others, otherMedicinesNote }) {
      return others?.includes(otherMedicineCode) && otherMedicinesNote === undefined
        ? fieldIssue('otherMedicinesNote', 'required')
        : undefined;
    },
  },
];

/** A visit form, recorded by `ctx.facilityCode` for a patient born `ctx.birthDate`. */
export function validateVisit(
  raw: Record<string, unknown>,
  ctx: EncounterContext,
): Result<Visit, FieldIssue[]> {
  const result = runForm(visitSchema(ctx), raw, visitRules);
  return result.ok ? ok({ ...result.value, facilityCode: ctx.facilityCode }) : result;
}
