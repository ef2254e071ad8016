/**
 * Why an alert fired, as sentences in English and Swahili with parameter slots (`{value}`),
 * next to the rules (the `{ en, sw }` pattern of ../vocab). Numbers and dates are formatted by
 * the caller in the reader's language ("12,400" and "4 Mar 2026" are the UI's business); this
 * module only fills slots.
 */
import type { Language } from '../types';
import type { Label } from '../vocab/label';

export const reasonSentences = {
  'vl_due.no_art_start': {
    en: 'Viral load schedule unknown: no ART start date recorded.',
    sw: 'Ratiba ya kipimo cha wingi wa virusi haijulikani: tarehe ya kuanza ARV haijaandikwa.',
  },
  'vl_due.first': {
    en: 'First viral load due {due}: {months} months after ART start on {artStart}.',
    sw: 'Kipimo cha kwanza cha wingi wa virusi kilitakiwa {due}: miezi {months} baada ya kuanza ARV {artStart}.',
  },
  'vl_due.second': {
    en: 'Viral load due {due}: {months} months after ART start on {artStart} (last {lastDate}).',
    sw: 'Kipimo cha wingi wa virusi kilitakiwa {due}: miezi {months} baada ya kuanza ARV {artStart} (cha mwisho {lastDate}).',
  },
  'vl_due.routine': {
    en: 'Viral load due {due}: {months} months after the last one on {lastDate}.',
    sw: 'Kipimo cha wingi wa virusi kilitakiwa {due}: miezi {months} baada ya cha mwisho {lastDate}.',
  },
  'vl_due.awaiting': {
    en: 'Viral load was due {due}; ordered on {orderedOn}, result not yet received.',
    sw: 'Kipimo cha wingi wa virusi kilitakiwa {due}; kiliagizwa {orderedOn}, majibu bado hayajapokelewa.',
  },
  vl_unsuppressed: {
    en: 'Last VL {value} copies/mL on {date}, ≥ {threshold}: enhanced adherence counselling, repeat VL by {repeatDue}.',
    sw: 'VL ya mwisho {value} nakala/mL tarehe {date}, ≥ {threshold}: ushauri wa ufuasi ulioimarishwa, rudia VL kufikia {repeatDue}.',
  },
  'vl_unsuppressed.repeat_due': {
    en: 'Last VL {value} copies/mL on {date}, ≥ {threshold}: the repeat VL was due {repeatDue}.',
    sw: 'VL ya mwisho {value} nakala/mL tarehe {date}, ≥ {threshold}: VL ya kurudia ilitakiwa {repeatDue}.',
  },
  vl_switch: {
    en: 'Two consecutive VLs ≥ {threshold}: {firstValue} on {firstDate}, {secondValue} on {secondDate}. Consider a regimen switch.',
    sw: 'VL mbili mfululizo ≥ {threshold}: {firstValue} tarehe {firstDate}, {secondValue} tarehe {secondDate}. Fikiria kubadili mstari wa dawa.',
  },
  vl_low_level: {
    en: 'Last VL {value} copies/mL on {date}: low-level viraemia ({low}–{high}).',
    sw: 'VL ya mwisho {value} nakala/mL tarehe {date}: virusi kiwango cha chini ({low}–{high}).',
  },
  arv_supply: {
    en: 'ARVs for {days} days dispensed on {dispensedOn} run out on {runsOut}, before the appointment on {appointment}.',
    sw: 'ARV za siku {days} zilizotolewa {dispensedOn} zitaisha {runsOut}, kabla ya miadi ya {appointment}.',
  },
  'arv_supply.no_days': {
    en: 'ARVs dispensed on {dispensedOn} without the days supplied: when they run out is unknown.',
    sw: 'ARV zilitolewa {dispensedOn} bila idadi ya siku: haijulikani zitaisha lini.',
  },
  'pregnant_vl.none': {
    en: '{state} at the visit on {visitDate} and no viral load recorded.',
    sw: '{state} katika ziara ya {visitDate} na hakuna kipimo cha wingi wa virusi kilichoandikwa.',
  },
  'pregnant_vl.old': {
    en: '{state} at the visit on {visitDate}; last viral load {lastDate}, more than {months} months before.',
    sw: '{state} katika ziara ya {visitDate}; kipimo cha mwisho cha wingi wa virusi {lastDate}, zaidi ya miezi {months} kabla.',
  },
  tb_investigate: {
    en: 'TB symptom screen positive on {screenDate} and no TB investigation ordered or resulted since.',
    sw: 'Uchunguzi wa dalili za TB ulikuwa chanya {screenDate} na hakuna kipimo cha TB kilichoagizwa au kupata majibu tangu hapo.',
  },
} as const satisfies Record<string, Label>;

export type SentenceId = keyof typeof reasonSentences;

/** The slot names of a sentence template, e.g. `['value', 'date']`. */
export function slotsOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
}

/**
 * The sentence in `lang` with each slot replaced by the caller's formatted value. A slot
 * without a value is left visible as `{name}` rather than silently dropped, so a missing
 * parameter shows in review instead of turning into a wrong sentence.
 */
export function fillSentence(
  sentence: SentenceId,
  lang: Language,
  values: Readonly<Record<string, string>>,
): string {
  return reasonSentences[sentence][lang].replace(/\{(\w+)\}/g, (slot, name: string) =>
    Object.hasOwn(values, name) ? (values[name] as string) : slot,
  );
}

/** Labels for the `{state}` slot of the pregnancy sentences. */
export const pregnancyStates = {
  pregnant: { en: 'Pregnant', sw: 'Mjamzito' },
  breastfeeding: { en: 'Breastfeeding', sw: 'Ananyonyesha' },
} as const satisfies Record<string, Label>;
