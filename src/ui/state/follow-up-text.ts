/**
 * Care data as text in the reader's language: an alert's reason (the rule's sentence with its
 * numbers and dates formatted here, in the UI: reasons.ts only fills slots) and a tracing
 * attempt in one line.
 */
import { fillSentence, pregnancyStates } from '../../domain/care/reasons';
import type { Alert } from '../../domain/care/rule-types';
import { careRules } from '../../domain/care/rules';
import type { Language, TracingMethod, TracingOutcome } from '../../domain/types';
import { tracingMethods, tracingOutcomes, tracingReached } from '../../domain/vocab/enums';
import { labelOf } from '../../domain/vocab/label';
import { formatDayInText, formatNumber } from '../format';

const isDay = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text);

/** The sentence that says why `alert` fired, e.g. "Last VL 12,400 copies/mL on 4 Mar 2026, ≥ 1,000: …". */
export function alertSentence(alert: Alert, lang: Language): string {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(alert.reason.params)) {
    if (typeof value === 'number') values[name] = formatNumber(value, lang);
    else if (isDay(value)) values[name] = formatDayInText(value, lang);
    else if (name === 'state' && Object.hasOwn(pregnancyStates, value)) {
      values[name] = pregnancyStates[value as keyof typeof pregnancyStates][lang];
    } else values[name] = value;
  }
  return fillSentence(alert.reason.sentence, lang, values);
}

/** The rule's title and source line, for the alert's heading and its "why this rule". */
export function ruleOf(alert: Alert) {
  return careRules.find((rule) => rule.id === alert.ruleId);
}

export function tracingLine(
  tracing: { method: TracingMethod; reached: boolean; outcome?: TracingOutcome | undefined },
  lang: Language,
): string {
  return [
    labelOf(tracingMethods, tracing.method, lang),
    labelOf(tracingReached, tracing.reached ? 'reached' : 'not_reached', lang),
    tracing.outcome ? labelOf(tracingOutcomes, tracing.outcome, lang) : '',
  ]
    .filter((part) => part !== '')
    .join(' · ');
}
