import { describe, expect, it } from 'vitest';
import { arvs } from '../../../src/domain/vocab/arvs';
import {
  arvReasons,
  arvReasonsByStatus,
  arvStatuses,
  reasonsForArvStatus,
} from '../../../src/domain/vocab/arv-status';
import * as enums from '../../../src/domain/vocab/enums';
import { investigations } from '../../../src/domain/vocab/investigations';
import { labelOf, type VocabItem } from '../../../src/domain/vocab/label';
import { otherMedicines } from '../../../src/domain/vocab/medicines';
import { findRegimen, regimens } from '../../../src/domain/vocab/regimens';
import { symptoms } from '../../../src/domain/vocab/symptoms';

const lists: Record<string, readonly VocabItem<string | number>[]> = {
  arvs,
  arvReasons,
  investigations,
  otherMedicines,
  regimens,
  symptoms,
  sexes: enums.sexes,
  roles: enums.roles,
  maritalStatuses: enums.maritalStatuses,
  languages: enums.languages,
  supporterKinds: enums.supporterKinds,
  visitTypes: enums.visitTypes,
  yesNoUnknown: enums.yesNoUnknown,
  tbScreenResults: enums.tbScreenResults,
  adherenceLevels: enums.adherenceLevels,
  patientStatuses: enums.patientStatuses,
  appointmentPurposes: enums.appointmentPurposes,
  arvStatusLabels: enums.arvStatusLabels,
  whoStages: enums.whoStages,
  daysSuppliedOptions: enums.daysSuppliedOptions,
};

describe('vocabularies', () => {
  it.each(Object.entries(lists))(
    '%s has unique codes and labels in English and Swahili',
    (_, list) => {
      const codes = list.map((item) => item.code);
      expect(new Set(codes).size).toBe(codes.length);
      for (const item of list) {
        expect(item.label.en.trim()).not.toBe('');
        expect(item.label.sw.trim()).not.toBe('');
      }
    },
  );

  it('covers every value of the enumerated types', () => {
    expect(enums.roles.map((r) => r.code)).toEqual([
      'clinician',
      'pharmacist',
      'lab',
      'data_clerk',
      'supervisor',
    ]);
    expect(enums.whoStages.map((s) => s.code)).toEqual([1, 2, 3, 4]);
    expect(enums.daysSuppliedOptions.map((d) => d.code)).toEqual([30, 60, 90]);
    expect(enums.arvStatusLabels.map((s) => s.code).sort()).toEqual(
      Object.keys(arvReasonsByStatus).sort(),
    );
  });

  it('lists the Tanzania CTC regimens the clinics use, by line and population', () => {
    expect(findRegimen('1r-A')).toMatchObject({
      line: 1,
      population: 'adult',
      components: ['TDF', '3TC', 'DTG'],
      shortName: 'TLD',
    });
    expect(findRegimen('1g-A')?.components).toEqual(['TDF', '3TC', 'EFV']);
    expect(findRegimen('3y-A')?.components).toEqual(['DTG', 'DRV/r', 'AZT', '3TC']);
    expect(findRegimen('2f-A')?.line).toBe(2);
    expect(findRegimen('?x')?.components).toEqual([]);
    expect(findRegimen('?x')?.line).toBeUndefined();
    const classes = new Set(regimens.filter((r) => r.line).map((r) => `${r.line}-${r.population}`));
    expect(classes.size).toBe(6);
  });

  it('builds regimens only from known single ARVs', () => {
    const known = new Set(arvs.map((a) => a.code));
    for (const regimen of regimens) {
      for (const component of regimen.components) expect(known).toContain(component);
    }
  });

  it('gives each ARV status its own reasons, all labelled', () => {
    const known = new Set(arvReasons.map((r) => r.code));
    for (const codes of Object.values(arvReasonsByStatus)) {
      for (const code of codes) expect(known).toContain(code);
    }
    expect(reasonsForArvStatus('continue')).toEqual([]);
    expect(arvStatuses.find((s) => s.code === 'substitute')?.reasons).toContain('drug_stock_out');
    expect(reasonsForArvStatus('switch').map((r) => r.code)).toContain('virological_failure');
    expect(reasonsForArvStatus('stop').map((r) => r.code)).toContain('patient_decision');
    expect(reasonsForArvStatus('switch').map((r) => r.code)).not.toContain('patient_decision');
  });

  it('measures viral load in copies/mL and CD4 in cells/mm³, each with bounds', () => {
    const vl = investigations.find((i) => i.code === 'viral_load');
    const cd4 = investigations.find((i) => i.code === 'cd4');
    expect(vl?.shape).toMatchObject({ kind: 'numeric', unit: 'copies/mL' });
    expect(cd4?.shape).toMatchObject({ kind: 'numeric', unit: 'cells/mm³' });
    for (const investigation of investigations) {
      if (investigation.shape.kind === 'numeric') {
        expect(investigation.shape.min).toBeLessThan(investigation.shape.max);
      } else {
        expect(investigation.shape.values.length).toBeGreaterThanOrEqual(2);
      }
    }
    const xpert = investigations.find((i) => i.code === 'xpert');
    expect(xpert?.shape.kind === 'categorical' && xpert.shape.values.length).toBe(5);
  });

  it('labelOf returns the label in the requested language and the code when unknown', () => {
    expect(labelOf(enums.sexes, 'female', 'en')).toBe('Female');
    expect(labelOf(enums.sexes, 'female', 'sw')).toBe('Mwanamke');
    expect(labelOf(enums.whoStages, 3, 'sw')).toBe('Hatua ya 3 (WHO)');
    expect(labelOf(symptoms, 'from_a_newer_peer', 'sw')).toBe('from_a_newer_peer');
  });
});
