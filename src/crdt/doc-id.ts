import type { Brand } from '../lib/brand';
import type { CtcId, FacilityCode } from '../domain/types';

/**
 * Every replicated document has a stable id that names its kind:
 * `network`, `register:<facility code>`, `patient:<CTC ID>` or `report:<facility code>` (a
 * facility's published monthly figures, counts only: decision 0026).
 */
export type DocId = Brand<string, 'DocId'>;
export type DocKind = 'network' | 'register' | 'patient' | 'report';

export const networkDocId = 'network' as DocId;
export const registerDocId = (facility: FacilityCode): DocId => `register:${facility}` as DocId;
export const patientDocId = (ctcId: CtcId): DocId => `patient:${ctcId}` as DocId;
export const reportDocId = (facility: FacilityCode): DocId => `report:${facility}` as DocId;

const docIdPattern = /^(?:network|register:\d{8}|patient:\d{14}|report:\d{8})$/;

/** Strict check for ids that arrive from storage or peers. */
export function isDocId(value: unknown): value is DocId {
  return typeof value === 'string' && docIdPattern.test(value);
}

export function docKind(id: DocId): DocKind {
  if (id === networkDocId) return 'network';
  if (id.startsWith('register:')) return 'register';
  return id.startsWith('report:') ? 'report' : 'patient';
}

export function ctcIdOfDoc(id: DocId): CtcId | undefined {
  return id.startsWith('patient:') ? (id.slice('patient:'.length) as CtcId) : undefined;
}

export function facilityOfRegisterDoc(id: DocId): FacilityCode | undefined {
  return id.startsWith('register:') ? (id.slice('register:'.length) as FacilityCode) : undefined;
}

export function facilityOfReportDoc(id: DocId): FacilityCode | undefined {
  return id.startsWith('report:') ? (id.slice('report:'.length) as FacilityCode) : undefined;
}
