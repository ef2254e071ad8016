/**
 * Entries as short lines of text for the timeline and the history of corrections.
 * Codes are shown through their vocabulary labels in the user's language.
 */
import type { Demographics, Entry, Language } from '../domain/types';
import {
  adherenceLevels,
  alertActions,
  appointmentPurposes,
  arvStatusLabels,
  languages,
  maritalStatuses,
  patientStatuses,
  sexes,
  supporterKinds,
  tbScreenResults,
  tracingMethods,
  tracingOutcomes,
  tracingReached,
  visitTypes,
  whoStages,
  yesNoUnknown,
} from '../domain/vocab/enums';
import { arvReasons } from '../domain/vocab/arv-status';
import { findInvestigation, investigations } from '../domain/vocab/investigations';
import { labelOf, type VocabItem } from '../domain/vocab/label';
import { otherMedicines } from '../domain/vocab/medicines';
import { symptoms } from '../domain/vocab/symptoms';
import type { Translate } from './i18n/keys';

export { clinicalDate } from '../domain/entry-dates';

function labels(list: readonly VocabItem[], codes: readonly string[], lang: Language): string {
  return codes.map((code) => labelOf(list, code, lang)).join(', ');
}

export function entryLines(entry: Entry, lang: Language, t: Translate): string[] {
  switch (entry.kind) {
    case 'visit': {
      const v = (entry as Entry<'visit'>).data;
      const lines = [labelOf(visitTypes, v.visitType, lang)];
      const vitals = [
        v.weightKg !== undefined ? t('entry.weight', { value: v.weightKg }) : '',
        v.heightCm !== undefined ? `${v.heightCm} cm` : '',
        v.bpSystolic !== undefined && v.bpDiastolic !== undefined
          ? t('entry.bp', { systolic: v.bpSystolic, diastolic: v.bpDiastolic })
          : '',
      ].filter((part) => part !== '');
      if (vitals.length > 0) lines.push(vitals.join(' · '));
      if (v.pregnant)
        lines.push(`${t('fields.pregnant')}: ${labelOf(yesNoUnknown, v.pregnant, lang)}`);
      if (v.breastfeeding)
        lines.push(`${t('fields.breastfeeding')}: ${labelOf(yesNoUnknown, v.breastfeeding, lang)}`);
      lines.push(`${t('fields.tbScreen')}: ${labelOf(tbScreenResults, v.tbScreen, lang)}`);
      if (v.symptoms.length > 0 || v.otherSymptoms)
        lines.push(
          `${t('fields.symptoms')}: ${[labels(symptoms, v.symptoms, lang), v.otherSymptoms ?? '']
            .filter((part) => part !== '')
            .join(', ')}`,
        );
      if (v.comorbidities) lines.push(`${t('fields.comorbidities')}: ${v.comorbidities}`);
      const arv = [labelOf(arvStatusLabels, v.arvStatus, lang)];
      if (v.arvReason) arv.push(labelOf(arvReasons, v.arvReason, lang));
      if (v.regimen) arv.push(t('entry.regimen', { code: v.regimen }));
      if (v.daysSupplied) arv.push(t('entry.days', { days: v.daysSupplied }));
      if (v.quantity !== undefined) arv.push(`× ${v.quantity}`);
      lines.push(`ARV: ${arv.join(' · ')}`);
      if (v.otherMedicines.length > 0)
        lines.push(
          `${t('fields.otherMedicines')}: ${labels(otherMedicines, v.otherMedicines, lang)}${
            v.otherMedicinesNote ? ` (${v.otherMedicinesNote})` : ''
          }`,
        );
      if (v.adherence || v.pillsMissed !== undefined)
        lines.push(
          `${t('fields.adherence')}: ${[
            v.adherence ? labelOf(adherenceLevels, v.adherence, lang) : '',
            v.pillsMissed !== undefined ? `${t('fields.pillsMissed')} ${v.pillsMissed}` : '',
          ]
            .filter((part) => part !== '')
            .join(' · ')}`,
        );
      if (v.investigationsOrdered.length > 0)
        lines.push(
          `${t('fields.investigationsOrdered')}: ${labels(investigations, v.investigationsOrdered, lang)}`,
        );
      if (v.nextAppointment) lines.push(`${t('fields.nextAppointment')}: ${v.nextAppointment}`);
      if (v.notes) lines.push(v.notes);
      return lines;
    }
    case 'result': {
      const r = (entry as Entry<'result'>).data;
      const investigation = findInvestigation(r.investigation);
      const shape = investigation?.shape;
      const value =
        r.value.kind === 'numeric'
          ? `${r.value.value} ${r.value.unit}`
          : shape?.kind === 'categorical'
            ? labelOf(shape.values, r.value.value, lang)
            : r.value.value;
      const lines = [
        t('entry.resultValue', {
          investigation: labelOf(investigations, r.investigation, lang),
          value,
        }),
        `${t('fields.sampleDate')}: ${r.sampleDate}`,
      ];
      if (r.note) lines.push(r.note);
      return lines;
    }
    case 'appointment': {
      const a = (entry as Entry<'appointment'>).data;
      return [labelOf(appointmentPurposes, a.purpose, lang), ...(a.note ? [a.note] : [])];
    }
    case 'status': {
      const s = (entry as Entry<'status'>).data;
      return [
        [
          labelOf(patientStatuses, s.status, lang),
          s.toFacility ? t('entry.toFacility', { facility: s.toFacility }) : '',
        ]
          .filter((part) => part !== '')
          .join(' '),
        ...(s.note ? [s.note] : []),
      ];
    }
    case 'tracing': {
      const tr = (entry as Entry<'tracing'>).data;
      const head = [
        labelOf(tracingMethods, tr.method, lang),
        labelOf(tracingReached, tr.reached ? 'reached' : 'not_reached', lang),
        tr.outcome ? labelOf(tracingOutcomes, tr.outcome, lang) : '',
      ].filter((part) => part !== '');
      return [head.join(' · '), ...(tr.note ? [tr.note] : [])];
    }
    case 'alert_ack': {
      const ack = (entry as Entry<'alert_ack'>).data;
      return [`${labelOf(alertActions, ack.action, lang)}: ${ack.ruleId}`, ack.reason];
    }
    case 'demographics':
      return [];
  }
}

const demographicVocab: Partial<Record<keyof Demographics, readonly VocabItem<string | number>[]>> =
  {
    sex: sexes,
    maritalStatus: maritalStatuses,
    preferredLanguage: languages,
    supporterKind: supporterKinds,
    whoStage: whoStages,
  };

/** One demographic value as text: labels for codes, yes/no for flags, a dash when absent. */
export function demographicValueText(
  field: keyof Demographics,
  value: unknown,
  lang: Language,
  t: Translate,
): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  const vocab = demographicVocab[field];
  if (vocab && (typeof value === 'string' || typeof value === 'number'))
    return labelOf(vocab, value, lang);
  return typeof value === 'string' || typeof value === 'number'
    ? String(value)
    : JSON.stringify(value);
}
