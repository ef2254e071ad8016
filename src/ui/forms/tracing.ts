/**
 * The tracing form (issue 10 point 2) and the alert answer's: starting values, the choices in
 * the reader's language, and what is sent (an outcome only where it can apply).
 */
import type { IsoDate, Language } from '../../domain/types';
import { tracingMethods, tracingOutcomes } from '../../domain/vocab/enums';
import { optionsOf, type Option } from '../components/options';
import { toServiceInput, type FormValues } from './values';

export function tracingValues(today: IsoDate): FormValues {
  return { method: '', reached: '', outcome: '', date: today, note: '' };
}

export const methodOptions = (lang: Language): Option[] => optionsOf(tracingMethods, lang);

/** Nobody reached can only be "not found" (schemas/tracing.ts): the other outcomes are not offered. */
export function outcomeOptions(reached: string, lang: Language): Option[] {
  const all = optionsOf(tracingOutcomes, lang);
  if (reached === 'no') return all.filter((option) => option.value === 'not_found');
  if (reached === 'yes') return all.filter((option) => option.value !== 'not_found');
  return all;
}

/** What the service gets: an empty outcome is no outcome (the schema's `optional`). */
export function tracingInput(values: FormValues): Record<string, unknown> {
  const hidden = values.outcome === '' ? ['outcome'] : [];
  return toServiceInput(values, hidden);
}

export function alertAnswerValues(): FormValues {
  return { action: 'acknowledge', reason: '' };
}
