/**
 * Issue 10 point 7 (issue 8 point 8): the district report a supervisor lands on (rendered on the
 * server, as the other screen tests are): its routes, the district total and one card per
 * facility with its published figures, "data as of", devices, when its report was computed, a
 * warning when its data is old or its report missing, the 12-month trend, the register behind a
 * link (rows linking to the record page), no write action; and the ways a supervisor gets there.
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
import type { PublishedReports } from '../../../src/app/report-service';
import { figuresOf, type ReportFigures } from '../../../src/crdt/report-doc';
import { countInto, emptyIndicator, indicatorIds } from '../../../src/domain/care/indicators';
import type { MonthlyReport } from '../../../src/domain/care/monthly-report';
import { monthOf, previousMonth } from '../../../src/app/report-figures';
import { today } from '../../../src/ui/format';
import App from '../../../src/ui/App.svelte';
import ReportRegisterList from '../../../src/ui/components/ReportRegisterList.svelte';
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

function fakeNetwork(mbeziReceivedAt: IsoDateTime | undefined = tenMinutesAgo): NetworkService {
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
        ...(mbeziReceivedAt ? { lastReceivedAt: mbeziReceivedAt } : {}),
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

const month = previousMonth(monthOf(today()));
const before = previousMonth(month);

/** A facility's figures: `onArt` patients on ART (women of 30), `tested` VL tests, `suppressed` of them. */
function figures(
  facility: FacilityCode,
  m: string,
  onArt: number,
  tested: number,
  suppressed: number,
): ReportFigures {
  const indicators = Object.fromEntries(
    indicatorIds.map((id) => [id, emptyIndicator()]),
  ) as MonthlyReport['indicators'];
  for (let i = 0; i < onArt; i++) {
    const id = `${facility}01${String(i + 1).padStart(4, '0')}` as CtcId;
    countInto(indicators.currently_on_art, id, i % 3 === 0 ? 'male' : 'female', 30);
    if (i < tested) countInto(indicators.vl_tests_done, id, i % 3 === 0 ? 'male' : 'female', 30);
    if (i < suppressed)
      countInto(indicators.vl_suppressed, id, i % 3 === 0 ? 'male' : 'female', 30);
  }
  const report: MonthlyReport = { facility, month: m, end: `${m}-28` as IsoDate, indicators };
  return figuresOf(report, '2026-03-01T08:00:00.000Z' as IsoDateTime, onArt + 2);
}

const published = (
  facility: FacilityCode,
  months: ReportFigures[],
  skipped = 0,
): PublishedReports => ({
  facility,
  held: true,
  months: new Map(months.map((f) => [f.month, f])),
  skipped,
});

const preloaded = {
  facilities: [mbezi, mwananyamala],
  published: [
    published(mbezi.code, [
      figures(mbezi.code, month, 12, 4, 3),
      figures(mbezi.code, before, 10, 0, 0),
    ]),
    published(mwananyamala.code, [figures(mwananyamala.code, before, 5, 0, 0)], 1),
  ],
  staleAfterDays: 7,
};

function renderDistrict(
  profile = supervisorProfile,
  language: 'en' | 'sw' = 'en',
  loaded = preloaded,
  network = fakeNetwork(),
): string {
  const session = new Session(fakeClinic(profile), network);
  locale.set(language);
  return render(District, {
    props: { network: new NetworkState(network), preloaded: loaded },
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

describe('the district routes', () => {
  it('is #/district, and #/district/<code> for a register, both ways', () => {
    expect(parseHash('#/district')).toEqual({ name: 'district' });
    expect(hrefOf({ name: 'district' })).toBe('#/district');
    expect(parseHash('#/district/01020003')).toEqual({ name: 'district', facility: '01020003' });
    expect(hrefOf({ name: 'district', facility: mbezi.code })).toBe('#/district/01020003');
    expect(parseHash('#/district/extra').name).toBe('not-found');
    expect(parseHash('#/district/01020003/x').name).toBe('not-found');
  });

  it('#/report and #/report/<month> are the facility report', () => {
    expect(parseHash('#/report')).toEqual({ name: 'report' });
    expect(parseHash('#/report/2026-03')).toEqual({ name: 'report', month: '2026-03' });
    expect(hrefOf({ name: 'report', month: '2026-03' })).toBe('#/report/2026-03');
    expect(parseHash('#/report/2026-13').name).toBe('not-found');
  });
});

describe('the district report', () => {
  it('shows one card per facility, by name, each with code and district', () => {
    const html = renderDistrict();
    expect(count(html, 'district')).toBe(1);
    expect(count(html, 'district-facility')).toBe(2);
    expect(html.indexOf('Mbezi CTC')).toBeLessThan(html.indexOf('Mwananyamala Hospital'));
    const mbeziCard = text(card(html, mbezi.code));
    expect(mbeziCard).toContain('Code 01020003');
    expect(mbeziCard).toContain('District: Kinondoni');
  });

  it('sums the facilities that reported the month, counts only', () => {
    const html = renderDistrict();
    const sum = html.slice(html.indexOf('data-testid="district-sum"'));
    expect(sum).toMatch(/data-testid="district-sum" data-reported="1"/);
    expect(text(sum)).toContain('District total (1 of 2 facilities reported)');
    const onArt = /data-indicator="currently_on_art" data-split="total">(\d+)</.exec(sum);
    expect(onArt?.[1]).toBe('12');
    // The month before: both reported, and the sum adds them (10 + 5).
    const earlier = renderDistrict(supervisorProfile, 'en', preloaded);
    expect(earlier).toContain(`data-month="${before}"`);
    const row = earlier.slice(earlier.indexOf(`data-month="${before}"`));
    expect(text(row.slice(0, row.indexOf('</tr>')))).toMatch(/ 15 0 0 unknown$/);
  });

  it('says when each facility\'s data was last received, or "No data received yet"', () => {
    const html = renderDistrict();
    expect(text(card(html, mbezi.code))).toContain('Data as of 10 minutes ago');
    expect(text(card(html, mwananyamala.code))).toContain(
      'No data received from this facility yet',
    );
    expect(count(html, 'district-data-as-of')).toBe(2);
    expect(text(card(html, mbezi.code))).toContain('Report computed');
    expect(text(card(html, mbezi.code))).toContain('from 14 records');
  });

  it("RP8 warns plainly when a facility's data is older than the threshold, or missing", () => {
    const html = renderDistrict();
    expect(count(card(html, mbezi.code), 'district-stale')).toBe(0);
    expect(text(card(html, mwananyamala.code))).toContain(
      'Warning: no data from this facility for 7 days or more',
    );
    const eightDays = new Date(now - 8 * 86_400_000).toISOString() as IsoDateTime;
    const old = renderDistrict(supervisorProfile, 'en', preloaded, fakeNetwork(eightDays));
    expect(count(card(old, mbezi.code), 'district-stale')).toBe(1);
    const lenient = renderDistrict(
      supervisorProfile,
      'en',
      { ...preloaded, staleAfterDays: 14 },
      fakeNetwork(eightDays),
    );
    expect(count(card(lenient, mbezi.code), 'district-stale')).toBe(0);
    expect(text(lenient)).toContain('14 days or more');
    // Mwananyamala published the month before, not this one.
    expect(count(card(html, mwananyamala.code), 'district-missing')).toBe(1);
    expect(count(card(html, mbezi.code), 'district-missing')).toBe(0);
    expect(text(card(html, mwananyamala.code))).toContain(
      '1 month of this report could not be read',
    );
  });

  it('shows the last 12 months, with "unknown" where no viral load was tested', () => {
    const html = renderDistrict();
    expect(count(html, 'district-trend')).toBe(12);
    const row = (m: string) => {
      const at = html.indexOf(`data-month="${m}"`);
      return text(html.slice(at, html.indexOf('</tr>', at)));
    };
    expect(row(month)).toMatch(/ 12 0 0 75 %$/);
    const empty = previousMonth(previousMonth(before));
    expect(row(empty)).toContain('No facility has published a report for this month yet.');
  });

  it('keeps the register behind a link: the report loads and shows none', () => {
    const html = renderDistrict();
    expect(count(html, 'district-row')).toBe(0);
    expect(card(html, mbezi.code)).toContain('href="#/district/01020003"');
    const session = new Session(fakeClinic(supervisorProfile), fakeNetwork());
    const list = render(ReportRegisterList, {
      props: {
        facility: mbezi.code,
        preloaded: { facilities: [mbezi, mwananyamala], rows: register },
      },
      context: sessionContext(session),
    }).body;
    expect(count(list, 'district-row')).toBe(2);
    expect(list).toContain(`href="#/patient/${amina}"`);
    expect(text(list)).toContain('Register of Mbezi CTC');
    expect(text(list)).toContain('Register: 2 patients');
    expect(text(list)).toContain('01-02-0003-010001');
    expect(text(list)).toContain('Last visit 2026-03-01 · Mwananyamala Hospital');
    expect(text(list)).toContain('No visit yet');
    expect(list).toMatch(/data-ctc-id="01020003010002"[^>]*data-held="false"/);
  });

  it('offers no write action: no form, no field, no link to a form', () => {
    const html = renderDistrict();
    expect(html).not.toMatch(/<form|<input|<textarea/);
    expect(html).not.toMatch(/href="#\/(register|patient\/\d+\/)/);
    // Its only buttons show or hide the age bands of a table; the figures are not buttons.
    const buttons = html.match(/<button[^>]*>/g) ?? [];
    expect(buttons.every((b) => b.includes('data-testid="report-bands-toggle"'))).toBe(true);
    expect(count(html, 'report-count')).toBe(0);
  });

  it("calls a clinician's own facility its own instead of a time", () => {
    const html = renderDistrict(clinicianProfile);
    expect(text(card(html, mbezi.code))).toContain('This device’s facility');
    expect(count(card(html, mbezi.code), 'district-stale')).toBe(0);
  });

  it('speaks Swahili', () => {
    const html = renderDistrict(supervisorProfile, 'sw');
    expect(text(html)).toContain('Ripoti ya wilaya');
    expect(text(card(html, mbezi.code))).toContain('Data ilipokelewa dakika 10 zilizopita');
    expect(text(card(html, mwananyamala.code))).toContain('Bado hakuna data iliyopokelewa');
    expect(text(card(html, mwananyamala.code))).toContain('Tahadhari');
    expect(text(html)).toContain('Wanaotumia ARV sasa');
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
