/**
 * The numbers the care rules use, as settings with these defaults (domain.md: "where a number
 * is a policy choice, make it a setting with this default"). Refused where set when out of
 * range, with the reason as a `FieldIssue`.
 */
import type { FieldIssue } from '../types';

export interface CarePolicy {
  /** copies/mL at and above which a viral load is unsuppressed. */
  unsuppressedFrom: number;
  /** copies/mL at and above which a suppressed viral load is low-level viraemia. */
  lowLevelFrom: number;
  firstVlMonths: number;
  secondVlMonths: number;
  routineVlMonths: number;
  /** Months after an unsuppressed result (and adherence counselling) to repeat the test. */
  repeatVlMonths: number;
  /** Pregnant or breastfeeding: a viral load is expected within this many months. */
  pregnancyVlMonths: number;
  /** An order without a result this recent counts as "awaiting result", not "due". */
  awaitingResultDays: number;
}

export const defaultCarePolicy: CarePolicy = {
  unsuppressedFrom: 1000,
  lowLevelFrom: 50,
  firstVlMonths: 6,
  secondVlMonths: 12,
  routineVlMonths: 12,
  repeatVlMonths: 3,
  pregnancyVlMonths: 6,
  awaitingResultDays: 60,
};

const bounds: Record<keyof CarePolicy, { min: number; max: number }> = {
  unsuppressedFrom: { min: 50, max: 100_000 },
  lowLevelFrom: { min: 1, max: 999 },
  firstVlMonths: { min: 1, max: 24 },
  secondVlMonths: { min: 2, max: 36 },
  routineVlMonths: { min: 1, max: 36 },
  repeatVlMonths: { min: 1, max: 12 },
  pregnancyVlMonths: { min: 1, max: 12 },
  awaitingResultDays: { min: 1, max: 180 },
};

/** Every out-of-range setting, with the limit it broke; empty when the policy is usable. */
export function carePolicyIssues(policy: CarePolicy): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const field of Object.keys(bounds) as (keyof CarePolicy)[]) {
    const value = policy[field];
    const { min, max } = bounds[field];
    if (!Number.isInteger(value)) issues.push({ field, rule: 'not_integer' });
    else if (value < min) issues.push({ field, rule: 'min_value', params: { min } });
    else if (value > max) issues.push({ field, rule: 'max_value', params: { max } });
  }
  // The thresholds and the schedule only make sense in order.
  if (!issues.some((i) => i.field === 'lowLevelFrom' || i.field === 'unsuppressedFrom')) {
    if (policy.lowLevelFrom >= policy.unsuppressedFrom) {
      issues.push({
        field: 'lowLevelFrom',
        rule: 'max_value',
        params: { max: policy.unsuppressedFrom - 1, field: 'unsuppressedFrom' },
      });
    }
  }
  if (!issues.some((i) => i.field === 'firstVlMonths' || i.field === 'secondVlMonths')) {
    if (policy.secondVlMonths <= policy.firstVlMonths) {
      issues.push({
        field: 'secondVlMonths',
        rule: 'min_value',
        params: { min: policy.firstVlMonths + 1, field: 'firstVlMonths' },
      });
    }
  }
  return issues;
}
