/**
 * Decision support as data (issue 10, point 3; domain.md "Decision support"). Each rule has an
 * id, the source it follows and a pure `evaluate` from a patient's corrected, ordered facts to
 * alerts. An alert's reason is data — `{ ruleId, sentence, params }` — turned into words by
 * ./reasons.ts in the reader's language.
 *
 * Every alert has a `key` made of the facts it was raised on (entry ids, due dates); an
 * `alert_ack` entry with that key silences it (./evaluate.ts), and a new fact makes a new key.
 *
 * Rules read only active patients: nothing is due for someone who died, stopped or moved.
 * Missing data gives an `unknown` alert with its reason, never a guessed date or a zero.
 */
import { supplyRunsOut } from '../follow-up';
import type { IsoDate } from '../types';
import { liveAppointment, statusOn, type CareFacts } from './record';
import { alert, visitsUpTo, type CareRule } from './rule-types';
import { pregnantVl, vlDue, vlLowLevel, vlSwitch, vlUnsuppressed } from './rules-viral-load';

export type { Alert, AlertReason, CareRule, ReasonParams, RuleContext, RuleId } from './rule-types';

const arvSupply: CareRule = {
  id: 'arv_supply',
  title: { en: 'ARVs run out before the appointment', sw: 'ARV zitaisha kabla ya miadi' },
  source: 'domain.md "Decision support": supply running out (last dispense date + days supplied)',
  evaluate(facts, { today }) {
    const visits = visitsUpTo(facts, today);
    const dispense = visits.filter((v) => v.data.regimen !== undefined).at(-1);
    if (!dispense) return [];
    // A later visit that stopped ARVs (or found the patient off them) ends the supply question.
    const stoppedSince = visits.some(
      (v) =>
        v.data.date > dispense.data.date &&
        (v.data.arvStatus === 'stop' || v.data.arvStatus === 'not_on_art'),
    );
    if (stoppedSince) return [];
    const dispensedOn = dispense.data.date;
    const days = dispense.data.daysSupplied;
    if (days === undefined) {
      return [
        alert(
          'arv_supply',
          `${dispense.id}:no-days`,
          'arv_supply.no_days',
          { dispensedOn },
          'unknown',
        ),
      ];
    }
    const appointment = liveAppointment(facts, today);
    if (!appointment || appointment.visitAfter !== undefined) return [];
    const runsOut = supplyRunsOut(dispensedOn, days);
    // The run-out day is the first without medicine: an appointment on it is still in time.
    if (appointment.date <= runsOut) return [];
    return [
      alert('arv_supply', `${dispense.id}:${appointment.date}`, 'arv_supply', {
        days,
        dispensedOn,
        runsOut,
        appointment: appointment.date,
      }),
    ];
  },
};

/** Investigations that answer a positive TB symptom screen (vocab/investigations.ts). */
export const tbInvestigations: readonly string[] = ['xpert'];

const tbInvestigate: CareRule = {
  id: 'tb_investigate',
  title: { en: 'TB screen positive: investigate', sw: 'Uchunguzi wa TB chanya: chunguza zaidi' },
  source: 'domain.md "Decision support": TB symptom screen positive → investigate',
  evaluate(facts, { today }) {
    const visits = visitsUpTo(facts, today);
    // The latest screen done decides; a later negative screen closes an earlier positive one.
    const screen = visits.filter((v) => v.data.tbScreen !== 'not_done').at(-1);
    if (!screen || screen.data.tbScreen !== 'positive') return [];
    const since = screen.data.date;
    const ordered = visits.some(
      (v) =>
        v.data.date >= since &&
        v.data.investigationsOrdered.some((code) => tbInvestigations.includes(code)),
    );
    const resulted = facts.results.some(
      (r) => tbInvestigations.includes(r.data.investigation) && r.data.sampleDate >= since,
    );
    if (ordered || resulted) return [];
    return [alert('tb_investigate', screen.id, 'tb_investigate', { screenDate: since })];
  },
};

/** Every rule, in the order alerts are shown. */
export const careRules: readonly CareRule[] = [
  vlSwitch,
  vlUnsuppressed,
  vlDue,
  vlLowLevel,
  pregnantVl,
  tbInvestigate,
  arvSupply,
];

/** Rules read active patients only (module comment). */
export function inCareOn(facts: CareFacts, today: IsoDate): boolean {
  return statusOn(facts, today) === 'active';
}
