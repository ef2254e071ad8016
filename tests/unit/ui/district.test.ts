/**
 * Issue 8 point 8: the district overview a supervisor lands on (rendered on the server, as the
 * other screen tests are): its route, one card per facility with its "data as of", devices and
 * register, rows linking to the record page, no write action; and the ways a supervisor gets
 * there (the first nav entry, the first thing on Home).
 */
import { render } from 'svelte/server';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  ClinicService,
  DeviceProfile,
  MemberView,
  NetworkService,
  NetworkView,
  RegisterRow,
} from '../../../src/app/views';
import { supervisorFacilityCode } from '../../../src/app/views';
import type {
  CtcId,
  DeviceId,
  Facility,
  FacilityCode,
  IsoDate,
  IsoDateTime,
  UserId,
} from '../../../src/domain/types';
import App from '../../../src/ui/App.svelte';
import { fetchScreen } from '../../../src/ui/lazy-screen';
import { screens } from '../../../src/ui/screens';
import { loadLanguage, locale } from '../../../src/ui/i18n/i18n.svelte';
import District from '../../../src/ui/screens/District.svelte';
import Home from '../../../src/ui/screens/Home.svelte';
import { sessionContext } from '../../../src/ui/state/context';
import { NetworkState } from '../../../src/ui/state/network.svelte';
import { router } from '../../../src/ui/state/router.svelte';
import { hrefOf, parseHash } from '../../../src/ui/state/routes';
import { Session } from '../../../src/ui/state/session.svelte';

// Kiswahili is loaded on demand in the app (its own chunk); these tests read it at once.
beforeAll(() => loadLanguage('sw'));

afterEach(() => {
  locale.set('en');
  router.route = { name: 'home' };
});

const mbezi: Facility = {
  code: '01020003' as FacilityCode,
  name: 'Mbezi CTC',
  district: 'Kinondoni',
  region: 'Dar es Salaam',
};
const mwananyamala: Facility = {
  code: '01020001' as FacilityCode,
  name: 'Mwananyamala Hospital',
  district: 'Kinondoni',
  region: 'Dar es Salaam',
};

const supervisorProfile: DeviceProfile = {
  deviceId: 'dev-sup' as DeviceId,
  facility: { code: supervisorFacilityCode, name: 'Kinondoni', district: '', region: '' },
  user: {
    id: 'u-sup' as UserId,
    name: 'Rehema Said',
    role: 'supervisor',
    facilityCode: supervisorFacilityCode,
  },
  deviceSlot: 0,
  language: 'en',
};
const clinicianProfile: DeviceProfile = {
  deviceId: 'dev-mbezi' as DeviceId,
  facility: mbezi,
  user: { id: 'u-1' as UserId, name: 'Neema Mushi', role: 'clinician', facilityCode: mbezi.code },
  deviceSlot: 1,
  language: 'en',
};

const amina = '01020003010001' as CtcId;
const baraka = '01020003010002' as CtcId;
const register: RegisterRow[] = [
  {
    ctcId: baraka,
    givenName: 'Baraka',
    familyName: 'Ally',
    sex: 'male',
    birthYear: 1985,
    status: 'active',
    held: false,
  },
  {
    ctcId: amina,
    givenName: 'Amina',
    familyName: 'Mwakyusa',
    sex: 'female',
    birthYear: 1990,
    status: 'active',
    lastVisitDate: '2026-03-01' as IsoDate,
    lastVisitFacility: mwananyamala.code,
    held: true,
  },
];

const now = Date.now();
const tenMinutesAgo = new Date(now - 10 * 60_000).toISOString() as IsoDateTime;

const member = (over: Partial<MemberView>): MemberView => ({
  deviceId: 'dev-a',
  role: 'clinician',
  facilityCode: mbezi.code,
  admin: false,
  revoked: false,
  self: false,
  ...over,
});

function fakeNetwork(): NetworkService {
  const view = {
    joined: true,
    networkName: 'Dar CTC network',
    syncEnabled: true,
    signaling: 'connected',
    peerConnections: 1,
    peers: [],
    facilities: [
      {
        code: mbezi.code,
        name: mbezi.name,
        connected: true,
        devices: 1,
        pendingToSend: 0,
        behind: 0,
        lastReceivedAt: tenMinutesAgo,
      },
      {
        code: mwananyamala.code,
        name: mwananyamala.name,
        connected: false,
        devices: 0,
        pendingToSend: 0,
        behind: 0,
      },
    ],
    storageFull: false,
    refusals: [],
    trust: { kind: 'member', networkName: 'Dar CTC network', admin: false, role: 'supervisor' },
  } as NetworkView;
  return {
    status: () => view,
    onStatus: () => () => undefined,
    members: () => [
      member({ deviceId: 'dev-a' }),
      member({ deviceId: 'dev-b' }),
      member({ deviceId: 'dev-c', revoked: true }),
      member({ deviceId: 'dev-sup', role: 'supervisor', facilityCode: undefined, self: true }),
    ],
    settings: () => undefined,
  } as unknown as NetworkService;
}

function fakeClinic(profile: DeviceProfile): ClinicService {
  return {
    profile: () => profile,
    onChange: () => () => undefined,
    search: () => Promise.resolve([]),
    overviewFacilities: () => Promise.resolve([mbezi, mwananyamala]),
    facilityRegister: () => Promise.resolve(register),
    storageUsage: () => new Promise(() => undefined),
  } as unknown as ClinicService;
}

const preloaded = {
  facilities: [mbezi, mwananyamala],
  registers: { [mbezi.code]: register },
};

function renderDistrict(profile = supervisorProfile, language: 'en' | 'sw' = 'en'): string {
  const network = fakeNetwork();
  const session = new Session(fakeClinic(profile), network);
  locale.set(language);
  return render(District, {
    props: { network: new NetworkState(network), preloaded },
    context: sessionContext(session),
  }).body;
}

const count = (html: string, testid: string) => html.split(`data-testid="${testid}"`).length - 1;

/** The markup of the facility card with this code. */
function card(html: string, code: string): string {
  const start = html.indexOf(`data-testid="district-facility" data-code="${code}"`);
  expect(start).toBeGreaterThan(-1);
  const next = html.indexOf('data-testid="district-facility"', start + 1);
  return html.slice(start, next === -1 ? undefined : next);
}

const text = (html: string) =>
  html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

describe('the district route', () => {
  it('is #/district, both ways', () => {
    expect(parseHash('#/district')).toEqual({ name: 'district' });
    expect(hrefOf({ name: 'district' })).toBe('#/district');
    expect(parseHash('#/district/extra').name).toBe('not-found');
  });
});

describe('the district overview', () => {
  it('shows one card per facility, by name, each with code and district', () => {
    const html = renderDistrict();
    expect(count(html, 'district')).toBe(1);
    expect(count(html, 'district-facility')).toBe(2);
    expect(html.indexOf('Mbezi CTC')).toBeLessThan(html.indexOf('Mwananyamala Hospital'));
    const mbeziCard = text(card(html, mbezi.code));
    expect(mbeziCard).toContain('Code 01020003');
    expect(mbeziCard).toContain('District: Kinondoni');
  });

  it('says when each facility\'s data was last received, or "No data received yet"', () => {
    const html = renderDistrict();
    expect(text(card(html, mbezi.code))).toContain('Data as of 10 minutes ago');
    expect(text(card(html, mwananyamala.code))).toContain('No data received yet');
    expect(count(html, 'district-data-as-of')).toBe(2);
  });

  it("counts a facility's devices from the membership, without revoked ones", () => {
    const html = renderDistrict();
    expect(card(html, mbezi.code)).toContain('data-testid="district-devices" data-count="2"');
    expect(text(card(html, mbezi.code))).toContain('2 devices');
    expect(text(card(html, mwananyamala.code))).toContain('0 devices');
  });

  it('lists the register in a collapsed <details>, each row linking to the record page', () => {
    const html = renderDistrict();
    const mbeziCard = card(html, mbezi.code);
    expect(mbeziCard).toMatch(/<details[^>]*data-testid="district-register"[^>]*data-count="2"/);
    expect(mbeziCard).not.toMatch(/<details[^>]*\bopen\b/);
    expect(text(mbeziCard)).toContain('Register: 2 patients');
    expect(count(mbeziCard, 'district-row')).toBe(2);
    expect(mbeziCard).toContain(`href="#/patient/${amina}"`);
    expect(mbeziCard).toContain(`href="#/patient/${baraka}"`);
    // The CTC ID grouped as elsewhere, the status, the last visit and where it was.
    expect(text(mbeziCard)).toContain('01-02-0003-010001');
    expect(text(mbeziCard)).toContain('Last visit 2026-03-01 · Mwananyamala Hospital');
    expect(text(mbeziCard)).toContain('No visit yet');
    expect(mbeziCard).toMatch(/data-ctc-id="01020003010002"[^>]*data-held="false"/);
    expect(text(card(html, mwananyamala.code))).toContain(
      'No patient of this facility has reached this device yet.',
    );
  });

  it('offers no write action: no form, no button, no link to a form', () => {
    const html = renderDistrict();
    expect(html).not.toMatch(/<form|<button|<input|<select|<textarea/);
    expect(html).not.toMatch(/href="#\/(register|patient\/\d+\/)/);
  });

  it("calls a clinician's own facility its own instead of a time", () => {
    const html = renderDistrict(clinicianProfile);
    expect(text(card(html, mbezi.code))).toContain("This device's facility");
  });

  it('speaks Swahili', () => {
    const html = renderDistrict(supervisorProfile, 'sw');
    expect(text(html)).toContain('Muhtasari wa wilaya');
    expect(text(card(html, mbezi.code))).toContain('Data ilipokelewa dakika 10 zilizopita');
    expect(text(card(html, mwananyamala.code))).toContain('Bado hakuna data iliyopokelewa');
    expect(text(card(html, mbezi.code))).toContain('Rejista: wagonjwa 2');
  });

  it('waits for its first load when nothing is preloaded', () => {
    const session = new Session(fakeClinic(supervisorProfile), fakeNetwork());
    const html = render(District, { context: sessionContext(session) }).body;
    expect(count(html, 'district-facility')).toBe(0);
    expect(text(html)).toContain('Loading');
  });
});

describe('a supervisor gets to the overview', () => {
  const renderHome = (profile: DeviceProfile) =>
    render(Home, { context: sessionContext(new Session(fakeClinic(profile))) }).body;

  it('from the top of Home, before the search', () => {
    const html = renderHome(supervisorProfile);
    expect(html).toContain('data-testid="home-district"');
    expect(html).toContain('href="#/district"');
    expect(html.indexOf('home-district')).toBeLessThan(html.indexOf('search-input'));
    expect(renderHome(clinicianProfile)).not.toContain('home-district');
  });

  it('from the first nav entry, which a clinician does not have', () => {
    const renderApp = (profile: DeviceProfile) =>
      render(App, { context: sessionContext(new Session(fakeClinic(profile))) }).body;
    const asSupervisor = renderApp(supervisorProfile);
    expect(asSupervisor).toContain('data-testid="nav-district"');
    expect(asSupervisor.indexOf('nav-district')).toBeLessThan(asSupervisor.indexOf('nav-home'));
    expect(renderApp(clinicianProfile)).not.toContain('nav-district');
  });

  it('and App renders the overview on #/district', async () => {
    // Screens other than the first are fetched when shown; a server render runs no effects.
    await fetchScreen(screens.District);
    router.route = { name: 'district' };
    const session = new Session(fakeClinic(supervisorProfile), fakeNetwork());
    const html = render(App, { context: sessionContext(session) }).body;
    expect(html).toContain('data-testid="district"');
  });
});
