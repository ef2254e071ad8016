/**
 * The two new entry kinds travel like the others: the receive-time shape check accepts them,
 * refuses a malformed one, and the patient document keeps them in their own lists.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entryProblem } from '../../../../src/crdt/entries';
import { appendEntry, readPatient } from '../../../../src/crdt/patient-doc';
import type { Entry, EntryId, IsoDateTime } from '../../../../src/domain/types';
import { A } from './cohort';

const stamp: Entry['stamp'] = {
  userId: 'u1' as Entry['stamp']['userId'],
  userName: 'Dr A',
  role: 'clinician',
  deviceId: 'dev-1' as Entry['stamp']['deviceId'],
  facilityCode: A,
  at: '2026-03-25T09:00:00.000Z' as IsoDateTime,
};
const tracing: Entry<'tracing'> = {
  id: 'tr-1' as EntryId,
  kind: 'tracing',
  stamp,
  data: { date: '2026-03-25' as never, facilityCode: A, method: 'phone', reached: false },
};
const ack: Entry<'alert_ack'> = {
  id: 'ack-1' as EntryId,
  kind: 'alert_ack',
  stamp,
  data: {
    date: '2026-03-25' as never,
    ruleId: 'vl_due',
    alertKey: 'vl_due:2026-03-01',
    action: 'override',
    reason: 'Sample sent',
  },
};

describe('tracing and alert_ack entries', () => {
  it('pass the receive-time check in their own list, and only there', () => {
    expect(entryProblem(tracing, 'tracing')).toBeUndefined();
    expect(entryProblem(ack, 'alert_ack')).toBeUndefined();
    expect(entryProblem(tracing, 'visit')).toBe('a tracing entry in the visit list');
    expect(entryProblem({ ...tracing, data: { ...tracing.data, reached: 'no' } }, 'tracing')).toBe(
      'not an entry',
    );
    expect(
      entryProblem({ ...tracing, data: { ...tracing.data, facilityCode: '12' } }, 'tracing'),
    ).toBe('facility code is not 8 digits');
  });

  it('are kept and read back from the patient document', () => {
    const doc = new Y.Doc();
    appendEntry(doc, tracing);
    appendEntry(doc, ack);
    const snapshot = readPatient(doc);
    expect(snapshot.entries.tracing).toEqual([tracing]);
    expect(snapshot.entries.alert_ack).toEqual([ack]);
    expect(snapshot.rejectedEntries).toBe(0);
  });
});
