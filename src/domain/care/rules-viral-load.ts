/**
 * The viral-load rules (WHO 2021 consolidated HIV guidelines; domain.md "Decision support"):
 * the monitoring schedule, unsuppressed, two consecutive unsuppressed, low-level viraemia, and
 * pregnancy or breastfeeding without a recent test. See ./rules.ts for what a rule is.
 */
import { daysBetween } from '../dates';
import type { IsoDate } from '../types';
import type { CarePolicy } from './policy';
import { addMonths, type CareFacts } from './record';
import type { SentenceId } from './reasons';
import {
  alert,
  latestVls,
  visitsUpTo,
  vlsOnArt,
  who2021,
  type CareRule,
  type ReasonParams,
} from './rule-types';

export const vlDue: CareRule = {
  id: 'vl_due',
  title: { en: 'Viral load due', sw: 'Kipimo cha wingi wa virusi kinatakiwa' },
  source: `${who2021}: at 6 and 12 months after ART start, then every 12 months`,
  evaluate(facts, { today, policy }) {
    const start = facts.artStart?.date;
    if (start === undefined) {
      // Someone on ART has a schedule; without a start date it cannot be placed.
      const onArt = visitsUpTo(facts, today).some((v) => v.data.regimen !== undefined);
      return onArt ? [alert('vl_due', 'no-art-start', 'vl_due.no_art_start', {}, 'unknown')] : [];
    }
    const vls = vlsOnArt(facts, start, today);
    const last = vls.at(-1);
    // After an unsuppressed result the repeat test is the unsuppressed rule's to ask for.
    if (last && last.copies >= policy.unsuppressedFrom) return [];
    const second = addMonths(start, policy.secondVlMonths);
    // A last test taken before halfway between the 6- and 12-month marks (month 9 by default)
    // is the 6-month test, so the 12-month test follows; a later one restarts the yearly clock.
    const midway = addMonths(start, Math.floor((policy.firstVlMonths + policy.secondVlMonths) / 2));
    let due: IsoDate;
    let sentence: SentenceId;
    let params: ReasonParams;
    if (!last) {
      due = addMonths(start, policy.firstVlMonths);
      sentence = 'vl_due.first';
      params = { due, months: policy.firstVlMonths, artStart: start };
    } else if (last.sampleDate < midway) {
      due = second;
      sentence = 'vl_due.second';
      params = { due, months: policy.secondVlMonths, artStart: start, lastDate: last.sampleDate };
    } else {
      due = addMonths(last.sampleDate, policy.routineVlMonths);
      sentence = 'vl_due.routine';
      params = { due, months: policy.routineVlMonths, lastDate: last.sampleDate };
    }
    if (today < due) return [];
    const orderedOn = awaitingOrder(facts, last?.sampleDate ?? start, today, policy);
    if (orderedOn !== undefined) {
      return [
        alert('vl_due', `${due}:ordered:${orderedOn}`, 'vl_due.awaiting', { due, orderedOn }),
      ];
    }
    return [alert('vl_due', due, sentence, params)];
  },
};

/** The latest visit after `since` that ordered a viral load, if recent enough to await. */
function awaitingOrder(
  facts: CareFacts,
  since: IsoDate,
  today: IsoDate,
  policy: CarePolicy,
): IsoDate | undefined {
  const order = visitsUpTo(facts, today)
    .filter((v) => v.data.date > since && v.data.investigationsOrdered.includes('viral_load'))
    .at(-1);
  if (!order) return undefined;
  return daysBetween(order.data.date, today) <= policy.awaitingResultDays
    ? order.data.date
    : undefined;
}

export const vlUnsuppressed: CareRule = {
  id: 'vl_unsuppressed',
  title: { en: 'Unsuppressed viral load', sw: 'Virusi havijadhibitiwa' },
  source: `${who2021}: ≥ 1000 copies/mL → enhanced adherence counselling, repeat after 3 months`,
  evaluate(facts, { today, policy }) {
    const last = latestVls(facts, today).at(-1);
    if (!last || last.copies < policy.unsuppressedFrom) return [];
    const repeatDue = addMonths(last.sampleDate, policy.repeatVlMonths);
    const params = {
      value: last.copies,
      date: last.sampleDate,
      threshold: policy.unsuppressedFrom,
      repeatDue,
    };
    return [
      alert(
        'vl_unsuppressed',
        last.id,
        today > repeatDue ? 'vl_unsuppressed.repeat_due' : 'vl_unsuppressed',
        params,
      ),
    ];
  },
};

export const vlSwitch: CareRule = {
  id: 'vl_switch',
  title: { en: 'Consider regimen switch', sw: 'Fikiria kubadili mstari wa dawa' },
  source: `${who2021}: two consecutive viral loads ≥ 1000 copies/mL → consider switching`,
  evaluate(facts, { today, policy }) {
    const vls = latestVls(facts, today);
    const [first, second] = vls.slice(-2);
    if (!first || !second) return [];
    if (first.copies < policy.unsuppressedFrom || second.copies < policy.unsuppressedFrom)
      return [];
    // A switch already recorded after the second result answers the alert.
    const switched = visitsUpTo(facts, today).some(
      (v) => v.data.arvStatus === 'switch' && v.data.date >= second.sampleDate,
    );
    if (switched) return [];
    return [
      alert('vl_switch', `${first.id}:${second.id}`, 'vl_switch', {
        threshold: policy.unsuppressedFrom,
        firstValue: first.copies,
        firstDate: first.sampleDate,
        secondValue: second.copies,
        secondDate: second.sampleDate,
      }),
    ];
  },
};

export const vlLowLevel: CareRule = {
  id: 'vl_low_level',
  title: { en: 'Low-level viraemia', sw: 'Virusi kiwango cha chini' },
  source: `${who2021}: 50–999 copies/mL is low-level viraemia`,
  evaluate(facts, { today, policy }) {
    const last = latestVls(facts, today).at(-1);
    if (!last || last.copies < policy.lowLevelFrom || last.copies >= policy.unsuppressedFrom) {
      return [];
    }
    return [
      alert('vl_low_level', last.id, 'vl_low_level', {
        value: last.copies,
        date: last.sampleDate,
        low: policy.lowLevelFrom,
        high: policy.unsuppressedFrom - 1,
      }),
    ];
  },
};

export const pregnantVl: CareRule = {
  id: 'pregnant_vl',
  title: {
    en: 'Pregnant or breastfeeding: viral load',
    sw: 'Mjamzito au anayenyonyesha: kipimo cha wingi wa virusi',
  },
  source:
    'domain.md "Decision support" (pregnant or breastfeeding with no recent VL); the 6-month interval is a policy default (CarePolicy.pregnancyVlMonths), to check against the current NACP guideline',
  evaluate(facts, { today, policy }) {
    if (facts.record.demographics.sex !== 'female') return [];
    // The latest visit that answered either question says whether she is pregnant now.
    const visit = visitsUpTo(facts, today)
      .filter((v) => v.data.pregnant !== undefined || v.data.breastfeeding !== undefined)
      .at(-1);
    if (!visit) return [];
    const state =
      visit.data.pregnant === 'yes'
        ? 'pregnant'
        : visit.data.breastfeeding === 'yes'
          ? 'breastfeeding'
          : undefined;
    if (state === undefined) return [];
    const last = latestVls(facts, today).at(-1);
    const since = addMonths(today, -policy.pregnancyVlMonths);
    if (last && last.sampleDate > since) return [];
    const params: ReasonParams = { state, visitDate: visit.data.date };
    if (!last) return [alert('pregnant_vl', `${visit.id}:none`, 'pregnant_vl.none', params)];
    return [
      alert('pregnant_vl', `${visit.id}:${last.id}`, 'pregnant_vl.old', {
        ...params,
        lastDate: last.sampleDate,
        months: policy.pregnancyVlMonths,
      }),
    ];
  },
};
