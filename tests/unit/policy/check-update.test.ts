import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { networkDocId, patientDocId, registerDocId, type DocId } from '../../../src/crdt/doc-id';
import { appendAccess, type AccessRecord } from '../../../src/crdt/access-log';
import { appendEntry, editDemographics, initPatientDoc } from '../../../src/crdt/patient-doc';
import { initRegisterDoc, upsertSummary } from '../../../src/crdt/register-doc';
import { initNetworkDoc, putDevice, putFacility } from '../../../src/crdt/network-doc';
import { checkUpdate, type PolicyContext } from '../../../src/crdt/policy/check-update';
import type {
  CtcId,
  Demographics,
  Entry,
  EntryId,
  FacilityCode,
  Stamp,
} from '../../../src/domain/types';

const FAC = '01020003' as FacilityCode;
const OTHER = '01020004' as FacilityCode;
const ID = `${FAC}010001` as CtcId;
const context: PolicyContext = {
  facilities: new Set([FAC, OTHER]),
  ownBlock: { facility: FAC, slot: 1, counter: 5 },
};
const stamp: Stamp = {
  userId: 'u1' as Stamp['userId'],
  userName: 'Neema',
  role: 'clinician',
  deviceId: 'dev-1' as Stamp['deviceId'],
  facilityCode: FAC,
  at: '2026-03-10T09:00:00.000Z' as Stamp['at'],
};
const amina: Demographics = {
  givenName: 'Amina',
  familyName: 'Mwakyusa',
  sex: 'female',
  birthDate: '1990-04-12' as Demographics['birthDate'],
  birthDateEstimated: false,
};
const visit = (id: string, date = '2026-03-10'): Entry => ({
  id: id as EntryId,
  kind: 'visit',
  stamp,
  data: {
    date,
    facilityCode: FAC,
    visitType: 'clinic',
    tbScreen: 'negative',
    arvStatus: 'continue',
    symptoms: [],
    otherMedicines: [],
    investigationsOrdered: [],
  } as unknown as Entry<'visit'>['data'],
});

/** The update `edit` makes on a copy of `doc` (which is left unchanged). */
function changeOf(doc: Y.Doc, edit: (copy: Y.Doc) => void, clientID = 999): Uint8Array {
  const copy = new Y.Doc();
  copy.clientID = clientID;
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const before = Y.encodeStateVector(copy);
  copy.transact(() => edit(copy));
  return Y.encodeStateAsUpdate(copy, before);
}

function patientDoc(): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = 1;
  initPatientDoc(doc, {
    ctcId: ID,
    primaryFacility: FAC,
    demographics: amina,
    stamp,
    entryId: 'e0' as EntryId,
  });
  appendEntry(doc, visit('v1'));
  return doc;
}

const verdict = (docId: DocId, live: Y.Doc, update: Uint8Array) =>
  checkUpdate(docId, live, update, context);
const reasonOf = (docId: DocId, live: Y.Doc, update: Uint8Array) => {
  const result = verdict(docId, live, update);
  return result.ok ? 'ok' : result.error.reason;
};

describe('update policy: legitimate traffic passes (U1–U9)', () => {
  it('U1 a registration, a visit and a demographics edit pass, as live updates and as a catch-up', () => {
    const empty = new Y.Doc();
    const source = patientDoc();
    const full = Y.encodeStateAsUpdate(source);
    expect(reasonOf(patientDocId(ID), empty, full)).toBe('ok');
    const live = new Y.Doc();
    Y.applyUpdate(live, full);
    expect(
      reasonOf(
        patientDocId(ID),
        live,
        changeOf(live, (d) => appendEntry(d, visit('v2'))),
      ),
    ).toBe('ok');
    const edit = changeOf(live, (d) =>
      editDemographics(
        d,
        { ...amina, givenName: 'Aminah', phone: '+255 712' },
        stamp,
        'e9' as EntryId,
      ),
    );
    expect(reasonOf(patientDocId(ID), live, edit)).toBe('ok');
    // A catch-up carrying overwritten values and the whole delete set passes, twice.
    Y.applyUpdate(source, edit);
    const catchUp = Y.encodeStateAsUpdate(source);
    expect(reasonOf(patientDocId(ID), new Y.Doc(), catchUp)).toBe('ok');
    Y.applyUpdate(live, edit);
    expect(reasonOf(patientDocId(ID), live, catchUp)).toBe('ok');
  });

  it('U8 a visit recorded before the record arrived, then the registration, pass', () => {
    const early = new Y.Doc();
    early.clientID = 7;
    appendEntry(early, visit('v7'));
    const live = new Y.Doc();
    expect(reasonOf(patientDocId(ID), live, Y.encodeStateAsUpdate(early))).toBe('ok');
    Y.applyUpdate(live, Y.encodeStateAsUpdate(early));
    expect(reasonOf(patientDocId(ID), live, Y.encodeStateAsUpdate(patientDoc()))).toBe('ok');
  });

  it('U16 register summaries of the facility and their status and last-visit updates pass', () => {
    const source = new Y.Doc();
    initRegisterDoc(source, FAC);
    upsertSummary(source, {
      ctcId: ID,
      givenName: 'Amina',
      familyName: 'Mwakyusa',
      sex: 'female',
      birthYear: 1990,
      status: 'active',
      registeredAt: stamp.at,
    });
    const live = new Y.Doc();
    const id = registerDocId(FAC);
    expect(reasonOf(id, live, Y.encodeStateAsUpdate(source))).toBe('ok');
    Y.applyUpdate(live, Y.encodeStateAsUpdate(source));
    const touch = changeOf(live, (d) => {
      initRegisterDoc(d, FAC);
      upsertSummary(d, {
        ctcId: ID,
        status: 'died',
        lastVisitDate: '2026-03-11' as never,
        lastVisitFacility: OTHER,
      });
    });
    expect(reasonOf(id, live, touch)).toBe('ok');
    Y.applyUpdate(source, touch);
    expect(reasonOf(id, new Y.Doc(), Y.encodeStateAsUpdate(source))).toBe('ok');
  });

  it('U19 two devices of one facility writing the same facility record both pass', () => {
    const a = new Y.Doc();
    a.clientID = 1;
    const b = new Y.Doc();
    b.clientID = 2;
    const facility = {
      code: FAC,
      name: 'Mbezi CTC',
      district: 'Kinondoni',
      region: 'Dar es Salaam',
    };
    for (const [doc, n] of [
      [a, 1],
      [b, 2],
    ] as const) {
      initNetworkDoc(doc);
      putFacility(doc, facility);
      putDevice(doc, {
        deviceId: `dev-${n}` as never,
        facilityCode: FAC,
        slot: n,
        addedAt: stamp.at,
      });
    }
    expect(reasonOf(networkDocId, a, Y.encodeStateAsUpdate(b))).toBe('ok');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    expect(reasonOf(networkDocId, b, Y.encodeStateAsUpdate(a))).toBe('ok');
  });
});

describe('update policy: hostile updates are refused (U5–U33)', () => {
  it('U6 deleting every visit and the demographics log is a deletion', () => {
    const live = patientDoc();
    const wipe = changeOf(live, (d) => {
      d.getArray('visits').delete(0, d.getArray('visits').length);
      d.getArray('demographicsLog').delete(0, 1);
    });
    expect(reasonOf(patientDocId(ID), live, wipe)).toBe('deletion');
    // The same deletion arriving with a new record copy (born deleted) is refused too.
    const source = patientDoc();
    source.getArray('visits').delete(0, 1);
    expect(reasonOf(patientDocId(ID), new Y.Doc(), Y.encodeStateAsUpdate(source))).toBe('deletion');
  });

  it('U6 deleting a demographic key without a new value is a deletion', () => {
    const live = patientDoc();
    expect(
      reasonOf(
        patientDocId(ID),
        live,
        changeOf(live, (d) => d.getMap('demographics').delete('phone')),
      ),
    ).toBe('ok');
    expect(
      reasonOf(
        patientDocId(ID),
        live,
        changeOf(live, (d) => d.getMap('demographics').delete('givenName')),
      ),
    ).toBe('deletion');
  });

  it('U12 U13 U15 a foreign meta.ctcId and a null name are refused', () => {
    const live = patientDoc();
    const other = `${FAC}020001`;
    expect(
      reasonOf(
        patientDocId(ID),
        live,
        changeOf(live, (d) => d.getMap('meta').set('ctcId', other)),
      ),
    ).toBe('invalid-entry');
    expect(
      reasonOf(
        patientDocId(ID),
        live,
        changeOf(live, (d) => d.getMap('demographics').set('givenName', null)),
      ),
    ).toBe('invalid-entry');
    expect(
      reasonOf(
        patientDocId(ID),
        live,
        changeOf(live, (d) => d.getMap('meta').set('registeredAt', '2020-01-01T00:00:00.000Z')),
      ),
    ).toBe('overwrite');
    expect(
      reasonOf(
        patientDocId(ID),
        live,
        changeOf(live, (d) => d.getMap('extra').set('x', 1)),
      ),
    ).toBe('unknown-key');
    expect(
      reasonOf(
        patientDocId(ID),
        live,
        changeOf(live, (d) => d.getArray('visits').push([{ bogus: true }])),
      ),
    ).toBe('invalid-entry');
    expect(
      reasonOf(
        patientDocId(ID),
        live,
        changeOf(live, (d) => d.getArray('visits').push([visit('v3', '2026-02-30')])),
      ),
    ).toBe('invalid-entry');
  });

  it('U22 an entry dated in the future is not refused here (it is kept and flagged)', () => {
    const live = patientDoc();
    expect(
      reasonOf(
        patientDocId(ID),
        live,
        changeOf(live, (d) => appendEntry(d, visit('v9', '9999-12-31'))),
      ),
    ).toBe('ok');
  });

  it('U17 U27 summaries of another facility and of unissued serials are refused', () => {
    const live = new Y.Doc();
    initRegisterDoc(live, FAC);
    const id = registerDocId(FAC);
    const summary = (ctcId: string) =>
      changeOf(live, (d) => upsertSummary(d, { ctcId: ctcId as CtcId, status: 'active' }));
    expect(reasonOf(id, live, summary(`${OTHER}010001`))).toBe('foreign-summary');
    expect(reasonOf(id, live, summary(`${FAC}019999`))).toBe('unissued-id');
    expect(reasonOf(id, live, summary(`${FAC}010005`))).toBe('ok');
    expect(reasonOf(id, live, summary(`${FAC}029999`))).toBe('ok');
    expect(
      reasonOf(
        patientDocId(`${FAC}010006` as CtcId),
        new Y.Doc(),
        Y.encodeStateAsUpdate(patientDoc()),
      ),
    ).toBe('unissued-id');
  });

  it('U26 a register of a facility the network does not list is refused', () => {
    const source = new Y.Doc();
    initRegisterDoc(source, '09090909' as FacilityCode);
    expect(
      reasonOf(
        registerDocId('09090909' as FacilityCode),
        new Y.Doc(),
        Y.encodeStateAsUpdate(source),
      ),
    ).toBe('unknown-facility');
  });

  it('U18 U19 settings changes and changed network records are refused', () => {
    const live = new Y.Doc();
    const putMbezi = (doc: Y.Doc, name: string) =>
      putFacility(doc, { code: FAC, name, district: 'K', region: 'D' });
    const reasonOfChange = (change: (doc: Y.Doc) => void) =>
      reasonOf(networkDocId, live, changeOf(live, change));
    initNetworkDoc(live);
    putMbezi(live, 'Mbezi CTC');
    expect(reasonOfChange((d) => d.getMap('settings').set('ltfuDays', 1))).toBe('settings');
    expect(reasonOfChange((d) => putMbezi(d, 'Evil'))).toBe('overwrite');
    expect(reasonOfChange((d) => putMbezi(d, 'Mbezi CTC'))).toBe('ok');
  });

  it('U30 millions of tiny items are refused by budget before they are read whole', () => {
    const live = patientDoc();
    const flood = changeOf(live, (d) => {
      const map = d.getMap('demographics');
      for (let i = 0; i < 60_000; i++) map.set('phone', String(i % 10));
    });
    expect(reasonOf(patientDocId(ID), live, flood)).toBe('budget');
  });
});

describe('update policy: the access log (AL2)', () => {
  const record: AccessRecord = {
    at: '2026-03-10T10:00:00.000Z' as AccessRecord['at'],
    deviceId: 'd0123456789abcdef',
    facility: OTHER,
    servedBy: 'dfedcba9876543210',
  };
  it('AL2 an access record is appended; a malformed one, or deleting one, is refused', () => {
    const live = patientDoc();
    const appended = changeOf(live, (d) => appendAccess(d, record));
    expect(reasonOf(patientDocId(ID), live, appended)).toBe('ok');
    const odd = changeOf(live, (d) => d.getArray('access').push([{ ...record, note: 'x' }]));
    expect(reasonOf(patientDocId(ID), live, odd)).toBe('invalid-entry');
    const badFacility = changeOf(live, (d) =>
      d.getArray('access').push([{ ...record, facility: 'Sinza' }]),
    );
    expect(reasonOf(patientDocId(ID), live, badFacility)).toBe('invalid-entry');
    // The asking user, when its device named one (AL1): a short text, nothing else.
    const named = changeOf(live, (d) => appendAccess(d, { ...record, user: 'Neema Mushi' }));
    expect(reasonOf(patientDocId(ID), live, named)).toBe('ok');
    const oddUser = changeOf(live, (d) => d.getArray('access').push([{ ...record, user: 7 }]));
    expect(reasonOf(patientDocId(ID), live, oddUser)).toBe('invalid-entry');
    Y.applyUpdate(live, appended);
    const erased = changeOf(live, (d) => d.getArray('access').delete(0, 1));
    expect(reasonOf(patientDocId(ID), live, erased)).toBe('deletion');
  });
});
