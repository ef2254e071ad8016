/**
 * Issue 8 on the patient page: who signed each entry (a verified line, or a plain warning when
 * the signer is not the device the stamp names), and "Edit details" only at the facility that
 * registered the patient. Rendered on the server, as the other UI unit tests are.
 */
import { render } from 'svelte/server';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  ClinicService,
  DeviceProfile,
  EntryView,
  MemberView,
  NetworkService,
  NetworkView,
  PatientView,
} from '../../../src/app/views';
import type {
  CtcId,
  DeviceId,
  EntryId,
  FacilityCode,
  IsoDate,
  IsoDateTime,
  Language,
  UserId,
  Visit,
} from '../../../src/domain/types';
import PatientRecord from '../../../src/ui/components/PatientRecord.svelte';
import { loadLanguage, locale } from '../../../src/ui/i18n/i18n.svelte';
import { sessionContext } from '../../../src/ui/state/context';
import { Session } from '../../../src/ui/state/session.svelte';

// Kiswahili is loaded on demand in the app (its own chunk); these tests read it at once.
beforeAll(() => loadLanguage('sw'));

afterEach(() => locale.set('en'));

const ownDevice = 'dev-own' as DeviceId;
const mbalizi = '12020001' as FacilityCode;
const ifisi = '12020002' as FacilityCode;
const ctcId = '12020001-01-00001' as CtcId;

const profile: DeviceProfile = {
  deviceId: ownDevice,
  facility: { code: mbalizi, name: 'Mbalizi Health Centre', district: 'Mbeya DC', region: 'Mbeya' },
  user: { id: 'u-1' as UserId, name: 'Neema', role: 'clinician', facilityCode: mbalizi },
  deviceSlot: 1,
  language: 'en',
};

function visit(
  id: string,
  deviceId: DeviceId,
  facilityCode: FacilityCode,
  extra: Partial<EntryView>,
): EntryView {
  const data: Visit = {
    date: '2026-03-10' as IsoDate,
    facilityCode,
    visitType: 'clinic',
    tbScreen: 'negative',
    symptoms: [],
    arvStatus: 'continue',
    otherMedicines: [],
    investigationsOrdered: [],
  };
  return {
    id: id as EntryId,
    kind: 'visit',
    stamp: {
      userId: 'u-1' as UserId,
      userName: 'Neema',
      role: 'clinician',
      deviceId,
      facilityCode,
      at: '2026-03-10T09:00:00.000Z' as IsoDateTime,
    },
    data,
    supersededBy: [],
    ...extra,
  };
}

function patient(visits: EntryView[], over: Partial<PatientView> = {}): PatientView {
  return {
    ctcId,
    primaryFacility: profile.facility,
    demographics: {
      givenName: 'Amina',
      familyName: 'Mwakyusa',
      sex: 'female',
      birthDate: '1990-05-01' as IsoDate,
      birthDateEstimated: false,
    },
    status: 'active',
    flags: [],
    visits,
    results: [],
    appointments: [],
    statusChanges: [],
    careEntries: [],
    history: visits,
    facilityNames: { [mbalizi]: 'Mbalizi Health Centre', [ifisi]: 'Ifisi Dispensary' },
    ...over,
  };
}

const member = (over: Partial<MemberView>): MemberView => ({
  deviceId: 'dev-x',
  role: 'clinician',
  admin: false,
  revoked: false,
  self: false,
  ...over,
});

function fakeNetwork(members: MemberView[]): NetworkService {
  const view = {
    joined: true,
    syncEnabled: true,
    signaling: 'connected',
    peerConnections: 0,
    peers: [],
    facilities: [],
    storageFull: false,
    refusals: [],
    trust: { kind: 'member', networkName: 'N', admin: false, role: 'clinician' },
  } as NetworkView;
  return {
    status: () => view,
    onStatus: () => () => undefined,
    members: () => members,
  } as unknown as NetworkService;
}

function fakeClinic(view?: PatientView): ClinicService {
  return {
    profile: () => profile,
    watchPatient: (_id: CtcId, listener: (view: PatientView | undefined) => void) => {
      listener(view);
      return () => undefined;
    },
    search: () => Promise.resolve([]),
  } as unknown as ClinicService;
}

function renderRecord(
  view: PatientView,
  members: MemberView[] = [],
  language: Language = 'en',
): string {
  const session = new Session(fakeClinic(view), fakeNetwork(members));
  // The session starts in the profile's language; a test may switch, as the header does.
  locale.set(language);
  return render(PatientRecord, { props: { view }, context: sessionContext(session) }).body;
}

const count = (html: string, testid: string) => html.split(`data-testid="${testid}"`).length - 1;

/** The `entry-signed` line of the one timeline entry, as text. */
function signedLine(html: string): { state: string; text: string } | undefined {
  const match =
    /<p[^>]*data-testid="entry-signed"[^>]*data-state="(\w+)"[^>]*>([\s\S]*?)<\/p>/.exec(html);
  if (!match) return undefined;
  const text = match[2]!
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { state: match[1]!, text };
}

describe('who signed each entry', () => {
  it('says "this device" for an entry signed by our own device, with the verified title', () => {
    const html = renderRecord(
      patient([
        visit('e1', ownDevice, mbalizi, { signedBy: { deviceId: ownDevice, matchesStamp: true } }),
      ]),
    );
    expect(count(html, 'entry-signed')).toBe(1);
    const line = signedLine(html);
    expect(line?.state).toBe('verified');
    expect(line?.text).toContain('Signed by this device');
    expect(line?.text).toContain('Verified signature');
    expect(html).toContain('title="Verified signature"');
  });

  it("names another device's facility from the members list", () => {
    const other = 'dev-ifisi' as DeviceId;
    const html = renderRecord(
      patient([visit('e1', other, ifisi, { signedBy: { deviceId: other, matchesStamp: true } })]),
      [
        member({
          deviceId: other,
          facilityCode: ifisi,
          facilityName: 'Ifisi Dispensary (members)',
        }),
      ],
    );
    const line = signedLine(html);
    expect(line?.state).toBe('verified');
    expect(line?.text).toContain('Signed by a device of Ifisi Dispensary (members)');
  });

  it("falls back to the stamp's facility name for a device the members list does not know", () => {
    const other = 'dev-unlisted' as DeviceId;
    const html = renderRecord(
      patient([visit('e1', other, ifisi, { signedBy: { deviceId: other, matchesStamp: true } })]),
    );
    expect(signedLine(html)?.text).toContain('Signed by a device of Ifisi Dispensary');
  });

  it('warns plainly when the signer is not the device the entry names', () => {
    const html = renderRecord(
      patient([
        visit('e1', ownDevice, mbalizi, {
          signedBy: { deviceId: 'dev-else' as DeviceId, matchesStamp: false },
        }),
      ]),
    );
    const line = signedLine(html);
    expect(line?.state).toBe('mismatch');
    expect(line?.text).toBe('Signed by another device than the one named');
    expect(html).not.toContain('Verified signature');
  });

  it('shows nothing extra for an entry that came unsigned', () => {
    const html = renderRecord(patient([visit('e1', ownDevice, mbalizi, {})]));
    expect(count(html, 'timeline-entry')).toBe(1);
    expect(count(html, 'entry-signed')).toBe(0);
  });

  it('says it in Swahili too', () => {
    const html = renderRecord(
      patient([
        visit('e1', ownDevice, mbalizi, { signedBy: { deviceId: ownDevice, matchesStamp: true } }),
      ]),
      [],
      'sw',
    );
    expect(signedLine(html)?.text).toContain('Imetiwa sahihi na kifaa hiki');
  });
});

describe('edit details only where the patient was registered', () => {
  it('hides Edit and says who keeps the details when they are not editable here', () => {
    const html = renderRecord(
      patient([], {
        primaryFacility: {
          code: ifisi,
          name: 'Ifisi Dispensary',
          district: 'Mbeya DC',
          region: 'Mbeya',
        },
        demographicsEditable: false,
      }),
    );
    expect(count(html, 'action-edit')).toBe(0);
    expect(count(html, 'action-visit')).toBe(1);
    expect(count(html, 'details-kept-by')).toBe(1);
    expect(html).toContain(
      'Details are kept by Ifisi Dispensary, where this patient was registered.',
    );
  });

  it('offers Edit when the details are editable here (or the view does not say)', () => {
    for (const demographicsEditable of [true, undefined]) {
      const html = renderRecord(patient([], { demographicsEditable }));
      expect(count(html, 'action-edit')).toBe(1);
      expect(count(html, 'details-kept-by')).toBe(0);
    }
  });
});
