/**
 * The shapes every care rule shares (see ./rules.ts) and the small readers they use.
 */
import type { Entry, IsoDate } from '../types';
import type { Label } from '../vocab/label';
import type { CarePolicy } from './policy';
import type { CareFacts, VlResult } from './record';
import type { SentenceId } from './reasons';

export type RuleId =
  | 'vl_due'
  | 'vl_unsuppressed'
  | 'vl_switch'
  | 'vl_low_level'
  | 'arv_supply'
  | 'pregnant_vl'
  | 'tb_investigate';

export type ReasonParams = Record<string, string | number>;

export interface AlertReason {
  ruleId: RuleId;
  sentence: SentenceId;
  params: ReasonParams;
}

export interface Alert {
  ruleId: RuleId;
  /** The facts the alert stands on; an acknowledgement names this key. */
  key: string;
  /** `action`: the record says something must be done; `unknown`: the record cannot say. */
  level: 'action' | 'unknown';
  reason: AlertReason;
}

export interface RuleContext {
  today: IsoDate;
  policy: CarePolicy;
}

export interface CareRule {
  id: RuleId;
  title: Label;
  /** Guideline and section, or domain.md where that is all the source there is. */
  source: string;
  evaluate(facts: CareFacts, ctx: RuleContext): Alert[];
}

export const who2021 =
  'WHO 2021 consolidated HIV guidelines (treatment monitoring: viral load); domain.md "Decision support"';

export function alert(
  ruleId: RuleId,
  key: string,
  sentence: SentenceId,
  params: ReasonParams,
  level: Alert['level'] = 'action',
): Alert {
  return { ruleId, key: `${ruleId}:${key}`, level, reason: { ruleId, sentence, params } };
}

/** Viral loads that count for monitoring: sampled on or after the ART start, up to today. */
export function vlsOnArt(facts: CareFacts, start: IsoDate, today: IsoDate): VlResult[] {
  return facts.viralLoads.filter(
    (vl) => vl.sampleDate >= start && vl.sampleDate <= today && vl.resultDate <= today,
  );
}

/** The latest viral load known today (by sample date; results arrive in any order). */
export function latestVls(facts: CareFacts, today: IsoDate): VlResult[] {
  return facts.viralLoads.filter((vl) => vl.sampleDate <= today && vl.resultDate <= today);
}

export const visitsUpTo = (facts: CareFacts, today: IsoDate): Entry<'visit'>[] =>
  facts.visits.filter((v) => v.data.date <= today);
