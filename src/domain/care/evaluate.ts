/**
 * Run every care rule over one record and apply the clinician's answers: an `alert_ack` entry
 * (acknowledge or override, with a reason) whose rule id and key match an alert silences it.
 * The key is built from the facts the alert stands on, so when those facts change (a new
 * result, a new due date) the alert comes back under a new key and must be answered again.
 */
import type { Entry, IsoDate } from '../types';
import { defaultCarePolicy, type CarePolicy } from './policy';
import { careFacts, type CareFacts, type CareRecord } from './record';
import { careRules, inCareOn, type Alert, type CareRule } from './rules';

export interface AnsweredAlert {
  alert: Alert;
  answer: Entry<'alert_ack'>;
}

export interface CareAlerts {
  /** Alerts nobody has answered, in rule order. */
  open: Alert[];
  /** Alerts a clinician acknowledged or overrode, with the entry that did it. */
  answered: AnsweredAlert[];
}

export function evaluateFacts(
  facts: CareFacts,
  today: IsoDate,
  policy: CarePolicy = defaultCarePolicy,
  rules: readonly CareRule[] = careRules,
): CareAlerts {
  if (!inCareOn(facts, today)) return { open: [], answered: [] };
  const answers = new Map<string, Entry<'alert_ack'>>();
  for (const ack of facts.alertAcks) {
    // An answer dated after today (a wrong clock) does not silence anything yet.
    if (ack.data.date <= today) answers.set(`${ack.data.ruleId}\u0000${ack.data.alertKey}`, ack);
  }
  const result: CareAlerts = { open: [], answered: [] };
  for (const rule of rules) {
    for (const alert of rule.evaluate(facts, { today, policy })) {
      const answer = answers.get(`${alert.ruleId}\u0000${alert.key}`);
      if (answer) result.answered.push({ alert, answer });
      else result.open.push(alert);
    }
  }
  return result;
}

export function evaluateRecord(
  record: CareRecord,
  today: IsoDate,
  policy: CarePolicy = defaultCarePolicy,
): CareAlerts {
  return evaluateFacts(careFacts(record), today, policy);
}
