import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  docKind,
  networkDocId,
  patientDocId,
  registerDocId,
  reportDocId,
  type DocId,
} from '../../../src/crdt/doc-id';
import { putDevice, putFacility, putUser } from '../../../src/crdt/network-doc';
import { appendEntry, editDemographics, initPatientDoc } from '../../../src/crdt/patient-doc';
import { initRegisterDoc, setLastVisit, upsertSummary } from '../../../src/crdt/register-doc';
import { initReportDoc, reportMonths } from '../../../src/crdt/report-doc';
import type { Member, PublicKeyB64 } from '../../../src/crdt/trust/types';
import {
  checkWrite,
  docFacilityOf,
  entryStampsOf,
  touchesOf,
  writeRules,
  type Touch,
  type WriteRequest,
} from '../../../src/crdt/trust/write-rules';
import type {
  CtcId,
  Demographics,
  DeviceId,
  Entry,
  EntryId,
  Facility,
  FacilityCode,
  IsoDate,
  Stamp,
  UserId,
} from '../../../src/domain/types';

const HOME = '01020003' as FacilityCode;
const AWAY = '01020004' as FacilityCode;
const PATIENT = patientDocId(`${HOME}010001` as CtcId);
const CTC = `${HOME}010001` as CtcId;

const member = (overrides: Partial<Member> = {}): Member => ({
  deviceId: 'd00000000000000aa' as DeviceId,
  publicKey: 'key-a' as PublicKeyB64,
  algorithm: 'Ed25519',
  role: 'clinician',
  facilityCode: HOME,
  ...overrides,
});
const away = member({ deviceId: 'd00000000000000bb' as DeviceId, facilityCode: AWAY });

const stampOf = (signer: Member): Stamp => ({
  userId: 'u1' as UserId,
  userName: 'Neema',
  role: 'clinician',
  deviceId: signer.deviceId,
  facilityCode: signer.facilityCode!,
  at: '2026-03-10T09:00:00.000Z' as Stamp['at'],
});
const amina: Demographics = {
  givenName: 'Amina',
  familyName: 'Mwakyusa',
  sex: 'female',
  birthDate: '1990-04-12' as Demographics['birthDate'],
  birthDateEstimated: false,
};
const visit = (stamp: Stamp): Entry => ({
  id: 'v2' as EntryId,
  kind: 'visit',
  stamp,
  data: {
    date: '2026-03-10',
    facilityCode: stamp.facilityCode,
    visitType: 'clinic',
    tbScreen: 'negative',
    arvStatus: 'continue',
    symptoms: [],
    otherMedicines: [],
    investigationsOrdered: [],
  } as unknown as Entry<'visit'>['data'],
});

function patient(): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = 1;
  initPatientDoc(doc, {
    ctcId: CTC,
    primaryFacility: HOME,
    demographics: amina,
    stamp: stampOf(member()),
    entryId: 'e0' as EntryId,
  });
  return doc;
}

function register(): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = 1;
  initRegisterDoc(doc, HOME);
  upsertSummary(doc, { ctcId: CTC, givenName: 'Amina', familyName: 'Mwakyusa', status: 'active' });
  return doc;
}

/** The touches and stamps of the update `edit` makes on a copy of `live`. */
function changeOf(docId: DocId, live: Y.Doc, edit: (doc: Y.Doc) => void) {
  const copy = new Y.Doc();
  copy.clientID = 99;
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(live));
  const before = Y.encodeStateVector(copy);
  copy.transact(() => edit(copy));
  const touches = touchesOf(docId, live, Y.encodeStateAsUpdate(copy, before));
  if (!touches.ok) throw new Error(touches.error.detail);
  return { touches: touches.value, entryStamps: entryStampsOf(touches.value) };
}

function request(
  signer: Member | undefined,
  docId: DocId,
  change: { touches: Touch[]; entryStamps: WriteRequest['entryStamps'] },
  extra: Partial<WriteRequest> = {},
): WriteRequest {
  const facility = docFacilityOf(docId);
  return {
    signer,
    revoked: false,
    docKind: docKind(docId),
    ...(facility ? { docFacility: facility } : {}),
    ...change,
    ...extra,
  };
}

const ruleOf = (req: WriteRequest) => {
  const result = checkWrite(req);
  return result.ok ? 'allowed' : result.error.rule;
};

const visitChange = (signer: Member, stamp = stampOf(signer)) =>
  changeOf(PATIENT, patient(), (doc) => appendEntry(doc, visit(stamp)));

const touch = (
  root: string,
  outer: string | null,
  key: string | null,
  values?: unknown[],
): Touch => ({
  root,
  outer,
  key,
  ...(values ? { values } : {}),
});
const network = (touches: Touch[]) => ({ touches, entryStamps: [] });

describe('write rules (issue 8 point 6)', () => {
  it('WR1: a supervisor’s change to any document is refused', () => {
    const supervisor = member({ role: 'supervisor', readScope: { kind: 'network' } });
    expect(ruleOf(request(supervisor, PATIENT, visitChange(member())))).toBe('WR1');
    expect(
      ruleOf(
        request(
          { ...supervisor, admin: { kind: 'network' } },
          networkDocId,
          network([touch('settings', null, 'x', [1])]),
        ),
      ),
    ).toBe('WR1');
  });

  it('WR2: a relay’s change is refused', () => {
    expect(ruleOf(request(member({ role: 'relay' }), PATIENT, visitChange(member())))).toBe('WR2');
  });

  it('WR3: a change the signer signed after its revocation is refused', () => {
    const req = request(member(), PATIENT, visitChange(member()), { revoked: true });
    expect(checkWrite(req)).toEqual({
      ok: false,
      error: { rule: 'WR3', reason: 'revoked', detail: member().deviceId },
    });
  });

  it('WR4: a change by a device no membership lists is refused', () => {
    expect(ruleOf(request(undefined, PATIENT, visitChange(member())))).toBe('WR4');
  });

  it('WR5: a clinician with no facility cannot write', () => {
    const noFacility = member();
    delete noFacility.facilityCode;
    expect(ruleOf(request(noFacility, PATIENT, visitChange(member())))).toBe('WR5');
  });

  it('WR6: an entry stamped with another device is refused', () => {
    const forged = { ...stampOf(member()), deviceId: 'd00000000000000cc' as DeviceId };
    expect(ruleOf(request(member(), PATIENT, visitChange(member(), forged)))).toBe('WR6');
  });

  it('WR7: an entry stamped with another facility is refused', () => {
    // A device of the away facility claiming the visit was recorded at the home facility.
    const forged = { ...stampOf(away), facilityCode: HOME };
    expect(ruleOf(request(away, PATIENT, visitChange(away, forged)))).toBe('WR7');
  });

  it('WR8: an entry stamped with a user the network does not list at the signer’s facility is refused', () => {
    const change = visitChange(member());
    expect(ruleOf(request(member(), PATIENT, change, { facilityUsers: new Set(['u7']) }))).toBe(
      'WR8',
    );
    expect(ruleOf(request(member(), PATIENT, change, { facilityUsers: new Set(['u1']) }))).toBe(
      'allowed',
    );
  });

  it('WR9: a clinician of the registering facility may edit demographics and append entries', () => {
    const edit = changeOf(PATIENT, patient(), (doc) =>
      editDemographics(
        doc,
        { ...amina, phone: '0712 000 000' },
        stampOf(member()),
        'e9' as EntryId,
      ),
    );
    expect(edit.touches.some((t) => t.root === 'demographics')).toBe(true);
    expect(ruleOf(request(member(), PATIENT, edit))).toBe('allowed');
    expect(ruleOf(request(member(), PATIENT, visitChange(member())))).toBe('allowed');
  });

  it('WR10: a clinician of another facility may record a visit for the patient (the mission)', () => {
    const change = visitChange(away);
    expect(change.touches).toEqual([expect.objectContaining({ root: 'visits', key: null })]);
    expect(ruleOf(request(away, PATIENT, change))).toBe('allowed');
    for (const list of ['results', 'appointments', 'statusChanges']) {
      expect(ruleOf(request(away, PATIENT, network([touch(list, null, null, [])])))).toBe(
        'allowed',
      );
    }
  });

  it('WR11: a clinician of another facility may write (the same) record metadata', () => {
    const change = changeOf(PATIENT, new Y.Doc(), (doc) => doc.getMap('meta').set('ctcId', CTC));
    expect(ruleOf(request(away, PATIENT, change))).toBe('allowed');
  });

  it('WR12: a clinician of another facility may not change the demographics', () => {
    const edit = changeOf(PATIENT, patient(), (doc) =>
      editDemographics(doc, { ...amina, familyName: 'Mushi' }, stampOf(away), 'e9' as EntryId),
    );
    expect(checkWrite(request(away, PATIENT, edit))).toMatchObject({
      ok: false,
      error: { rule: 'WR12', reason: 'foreign-demographics' },
    });
  });

  it('WR13: a clinician may change anything in its own facility’s register', () => {
    const change = changeOf(registerDocId(HOME), register(), (doc) =>
      upsertSummary(doc, { ctcId: `${HOME}010002` as CtcId, givenName: 'Juma' }),
    );
    expect(ruleOf(request(member(), registerDocId(HOME), change))).toBe('allowed');
  });

  it('WR14: a visit elsewhere may update the last visit and status in the patient’s home register', () => {
    const change = changeOf(registerDocId(HOME), register(), (doc) => {
      upsertSummary(doc, { ctcId: CTC, status: 'transferred_out' });
      setLastVisit(doc, CTC, {
        date: '2026-03-10' as IsoDate,
        facility: AWAY,
        heldVisitDates: new Set(['2026-03-10']),
        today: '2026-03-10' as IsoDate,
      });
    });
    expect([...new Set(change.touches.map((t) => t.key))].sort()).toEqual([
      'lastVisitDate',
      'lastVisitFacility',
      'status',
    ]);
    expect(ruleOf(request(away, registerDocId(HOME), change))).toBe('allowed');
    // Moving it again overwrites (deletes) the earlier values at the same places: still allowed.
    const live = register();
    live.getMap<Y.Map<unknown>>('patients').get(CTC)!.set('lastVisitDate', '2026-01-01');
    const again = changeOf(registerDocId(HOME), live, (doc) =>
      doc.getMap<Y.Map<unknown>>('patients').get(CTC)!.set('lastVisitDate', '2026-03-10'),
    );
    expect(ruleOf(request(away, registerDocId(HOME), again))).toBe('allowed');
  });

  it('WR15: anything else in another facility’s register is refused', () => {
    const reg = registerDocId(HOME);
    const rename = changeOf(reg, register(), (doc) =>
      upsertSummary(doc, { ctcId: CTC, givenName: 'Zawadi' }),
    );
    const added = changeOf(reg, register(), (doc) =>
      upsertSummary(doc, {
        ctcId: `${HOME}010002` as CtcId,
        lastVisitDate: '2026-03-10' as IsoDate,
      }),
    );
    for (const change of [rename, added]) {
      expect(checkWrite(request(away, reg, change))).toMatchObject({
        ok: false,
        error: { rule: 'WR15', reason: 'foreign-register' },
      });
    }
  });

  const facility: Facility = { code: AWAY, name: 'Mbalizi', district: 'Mbeya DC', region: 'Mbeya' };
  const device = {
    deviceId: 'dev-2' as DeviceId,
    facilityCode: AWAY,
    slot: 2,
    addedAt: '2026-03-10T09:00:00.000Z',
  };

  it('WR16: an admin may enroll facilities, devices and users', () => {
    const admin = member({ admin: { kind: 'district', district: 'Mbeya DC' } });
    const change = changeOf(networkDocId, new Y.Doc(), (doc) => {
      putFacility(doc, facility);
      putDevice(doc, device as never);
      putUser(doc, { id: 'u9', name: 'Baraka', role: 'clinician', facilityCode: AWAY } as never);
    });
    expect(ruleOf(request(admin, networkDocId, change))).toBe('allowed');
  });

  it('WR17: a non-admin may not change the membership', () => {
    for (const put of [putFacility, putDevice] as const) {
      const change = changeOf(networkDocId, new Y.Doc(), (doc) =>
        put(doc, (put === putFacility ? facility : device) as never),
      );
      expect(checkWrite(request(member(), networkDocId, change))).toMatchObject({
        ok: false,
        error: { rule: 'WR17', reason: 'not-admin' },
      });
    }
  });

  it('WR18: a network admin may change the settings', () => {
    const admin = member({ admin: { kind: 'network' } });
    const change = changeOf(networkDocId, new Y.Doc(), (doc) =>
      doc.getMap('settings').set('followUpDays', 28),
    );
    expect(ruleOf(request(admin, networkDocId, change))).toBe('allowed');
  });

  it('WR19: a district admin or a non-admin may not change the settings', () => {
    const change = changeOf(networkDocId, new Y.Doc(), (doc) =>
      doc.getMap('settings').set('followUpDays', 28),
    );
    const district = member({ admin: { kind: 'district', district: 'Mbeya DC' } });
    expect(ruleOf(request(district, networkDocId, change))).toBe('WR19');
    expect(ruleOf(request(member(), networkDocId, change))).toBe('WR19');
  });

  it('WR20: a clinician may name users of its own facility', () => {
    const change = changeOf(networkDocId, new Y.Doc(), (doc) =>
      putUser(doc, { id: 'u2', name: 'Rehema', role: 'clinician', facilityCode: HOME } as never),
    );
    expect(ruleOf(request(member(), networkDocId, change))).toBe('allowed');
  });

  it('WR21: a non-admin may not name users of another facility', () => {
    const change = changeOf(networkDocId, new Y.Doc(), (doc) =>
      putUser(doc, { id: 'u2', name: 'Rehema', role: 'clinician', facilityCode: AWAY } as never),
    );
    expect(ruleOf(request(member(), networkDocId, change))).toBe('WR21');
  });

  it('WR22: any clinician may write the network’s (write-once) metadata', () => {
    const change = changeOf(networkDocId, new Y.Doc(), (doc) =>
      doc.getMap('meta').set('kind', 'network'),
    );
    expect(ruleOf(request(member(), networkDocId, change))).toBe('allowed');
  });

  it('WR24: a clinician may list its own device and its own facility, nothing else', () => {
    const own = changeOf(networkDocId, new Y.Doc(), (doc) => {
      putFacility(doc, { ...facility, code: HOME });
      putDevice(doc, { ...device, deviceId: member().deviceId, facilityCode: HOME } as never);
    });
    expect(ruleOf(request(member(), networkDocId, own))).toBe('allowed');
    const otherDevice = changeOf(networkDocId, new Y.Doc(), (doc) =>
      putDevice(doc, device as never),
    );
    expect(ruleOf(request(member(), networkDocId, otherDevice))).toBe('WR17');
  });

  it('WR25: any member may store membership operations (each verified on its own)', () => {
    const change = changeOf(networkDocId, new Y.Doc(), (doc) =>
      doc.getMap('membership').set('A'.repeat(43), 'op-bytes'),
    );
    expect(ruleOf(request(away, networkDocId, change))).toBe('allowed');
    // Whatever its role: a relay or a supervisor may be the first to admit a newcomer.
    expect(ruleOf(request(member({ role: 'supervisor' }), networkDocId, change))).toBe('allowed');
    expect(ruleOf(request(member({ role: 'relay' }), networkDocId, change))).toBe('allowed');
    // Not beyond the ops themselves.
    const more = changeOf(networkDocId, new Y.Doc(), (doc) => {
      doc.getMap('membership').set('B'.repeat(43), 'op-bytes');
      putDevice(doc, device as never);
    });
    expect(ruleOf(request(member({ role: 'supervisor' }), networkDocId, more))).toBe('WR1');
  });

  it('WR26: a clinician of another facility may append to the patient’s access log', () => {
    const change = changeOf(PATIENT, patient(), (doc) =>
      doc.getArray('access').push([{ device: away.deviceId, at: '2026-03-10T09:00:00.000Z' }]),
    );
    expect(ruleOf(request(away, PATIENT, change))).toBe('allowed');
    // A relay that served the record logs it too, and writes nothing else (WR2).
    const relay = member({ role: 'relay', facilityCode: undefined as never });
    expect(ruleOf(request(relay, PATIENT, change))).toBe('allowed');
    expect(ruleOf(request(relay, PATIENT, visitChange(relay)))).toBe('WR2');
    const deleted: Touch = { root: 'access', outer: null, key: null, deleted: true };
    expect(ruleOf(request(away, PATIENT, network([deleted])))).toBe('WR23');
  });

  it('WR27: a clinician may publish its own facility’s report document', () => {
    const report = reportDocId(HOME);
    const change = changeOf(report, new Y.Doc(), (doc) => {
      initReportDoc(doc, HOME);
      reportMonths(doc).set('2026-03', { records: 0 });
    });
    expect(ruleOf(request(member(), report, change))).toBe('allowed');
    // Neither a supervisor nor a relay publishes one, even of "its" facility.
    expect(ruleOf(request(member({ role: 'supervisor' }), report, change))).toBe('WR1');
    expect(ruleOf(request(member({ role: 'relay' }), report, change))).toBe('WR2');
  });

  it('WR28: another facility’s report document is refused', () => {
    const report = reportDocId(HOME);
    const live = new Y.Doc();
    live.clientID = 1;
    initReportDoc(live, HOME);
    const change = changeOf(report, live, (doc) =>
      reportMonths(doc).set('2026-03', { records: 0 }),
    );
    expect(checkWrite(request(away, report, change))).toMatchObject({
      ok: false,
      error: { rule: 'WR28', reason: 'foreign-report' },
    });
    expect(docFacilityOf(report)).toBe(HOME);
  });

  it('WR23: a place no row allows is refused (default deny)', () => {
    expect(ruleOf(request(away, PATIENT, network([touch('notes', null, 'x', ['?'])])))).toBe(
      'WR23',
    );
    expect(
      ruleOf(request(member(), networkDocId, network([touch('extras', null, 'x', [1])]))),
    ).toBe('WR23');
    // A deleted entry at another facility is no append.
    const deleted: Touch = { root: 'visits', outer: null, key: null, deleted: true };
    expect(ruleOf(request(away, PATIENT, network([deleted])))).toBe('WR23');
  });

  it('every row of the table has a unique id and a test named with it', () => {
    const ids = writeRules.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    for (const id of ids) expect(source).toContain(`it('${id}:`);
  });
});
