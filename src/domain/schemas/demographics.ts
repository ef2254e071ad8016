import * as v from 'valibot';
import type { Result } from '../../lib/result';
import { isBeforeDate } from '../dates';
import type { Demographics, FieldIssue } from '../types';
import { codesOf } from '../vocab/label';
import { languages, maritalStatuses, sexes, supporterKinds, whoStages } from '../vocab/enums';
import type { ValidationContext } from './context';
import {
  birthDate,
  choice,
  flag,
  limits,
  numberChoice,
  pastDate,
  personName,
  phone,
  text,
} from './fields';
import { fieldIssue, rule } from './issues';
import { runForm, type CrossRule } from './run';

function demographicsSchema(ctx: ValidationContext) {
  return v.object(
    {
      givenName: personName(),
      familyName: personName(),
      sex: choice(codesOf(sexes)),
      birthDate: birthDate(ctx.today),
      birthDateEstimated: flag(),
      phone: v.optional(phone()),
      region: v.optional(text(limits.nameMax)),
      district: v.optional(text(limits.nameMax)),
      ward: v.optional(text(limits.nameMax)),
      maritalStatus: v.optional(choice(codesOf(maritalStatuses))),
      preferredLanguage: v.optional(choice(codesOf(languages))),
      supporterKind: v.optional(choice(codesOf(supporterKinds))),
      supporterName: v.optional(personName(limits.shortTextMax)),
      supporterPhone: v.optional(phone()),
      // Birth is checked across fields below: the birth date is on this same form.
      hivTestDate: v.optional(pastDate(ctx.today)),
      artStartDate: v.optional(pastDate(ctx.today)),
      whoStage: v.optional(numberChoice(codesOf(whoStages))),
    },
    rule('required'),
  );
}

function notBeforeBirth(field: 'hivTestDate' | 'artStartDate'): CrossRule<Demographics> {
  return {
    reads: ['birthDate', field],
    check(data) {
      const date = data[field];
      if (date && data.birthDate && isBeforeDate(date, data.birthDate)) {
        return fieldIssue(field, 'date_before_birth', { date: data.birthDate });
      }
      return undefined;
    },
  };
}

function onlyWithSupporter(field: 'supporterName' | 'supporterPhone'): CrossRule<Demographics> {
  return {
    reads: ['supporterKind', field],
    check(data) {
      return data.supporterKind === 'none' && data[field] !== undefined
        ? fieldIssue(field, 'not_applicable', { field: 'supporterKind' })
        : undefined;
    },
  };
}

const demographicsRules: CrossRule<Demographics>[] = [
  notBeforeBirth('hivTestDate'),
  notBeforeBirth('artStartDate'),
  {
    // ART follows a confirmed positive test; the reverse is a date in the wrong field.
    reads: ['hivTestDate', 'artStartDate'],
    check({ hivTestDate, artStartDate }) {
      return hivTestDate && artStartDate && isBeforeDate(artStartDate, hivTestDate)
        ? fieldIssue('artStartDate', 'date_before', { field: 'hivTestDate', date: hivTestDate })
        : undefined;
    },
  },
  onlyWithSupporter('supporterName'),
  onlyWithSupporter('supporterPhone'),
];

export function validateDemographics(
  raw: Record<string, unknown>,
  ctx: ValidationContext,
): Result<Demographics, FieldIssue[]> {
  return runForm(demographicsSchema(ctx), raw, demographicsRules);
}
