/**
 * Index rows derived from a document after a change. Registers are projected only for the
 * patients the change touched, so a register of thousands is never re-indexed whole.
 */
import type * as Y from 'yjs';
import type { IsoDateTime } from '../domain/types';
import { docKind, facilityOfRegisterDoc, type DocId } from './doc-id';
import { projectPatientRow, readPatient } from './patient-doc';
import type { Projection } from './ports';
import { directoryRows } from './register-doc';

export function projectDoc(
  docId: DocId,
  doc: Y.Doc,
  changedRegisterKeys: ReadonlySet<string>,
  at: IsoDateTime,
): Projection | undefined {
  switch (docKind(docId)) {
    case 'patient': {
      const patient = projectPatientRow(readPatient(doc), at);
      return patient ? { patient } : undefined;
    }
    case 'register': {
      const facility = facilityOfRegisterDoc(docId);
      if (!facility || changedRegisterKeys.size === 0) return undefined;
      return { directoryUpserts: directoryRows(doc, facility, changedRegisterKeys) };
    }
    case 'network':
    case 'report':
      return undefined;
  }
}
