/**
 * The network-trust screens (issue 8): the join route, the words for every trust and invite
 * problem, the form plumbing, and the markup the e2e tests rely on (rendered on the server,
 * so without clicks: the e2e tests press the buttons).
 */
import { render } from 'svelte/server';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  ClinicService,
  InviteSummary,
  MemberView,
  NetworkService,
  NetworkSettings,
  NetworkView,
  TrustProblem,
  TrustView,
} from '../../../src/app/views';
import { err, ok } from '../../../src/lib/result';
import {
  canRevoke,
  createNetworkInput,
  createNetworkValues,
  defaultInviteValues,
  inviteInput,
  inviteProblemText,
  inviteSummaryText,
  joinProblemText,
  memberTags,
  settingsKeepingNetwork,
  setupValuesFromInvite,
  trustProblemText,
} from '../../../src/ui/components/trust-text';
import MemberList from '../../../src/ui/components/MemberList.svelte';
import TrustBanner from '../../../src/ui/components/TrustBanner.svelte';
import { loadLanguage, locale, t } from '../../../src/ui/i18n/i18n.svelte';
import Join from '../../../src/ui/screens/Join.svelte';
import Network from '../../../src/ui/screens/Network.svelte';
import Settings from '../../../src/ui/screens/Settings.svelte';
import Setup from '../../../src/ui/screens/Setup.svelte';
import { sessionContext } from '../../../src/ui/state/context';
import { NetworkState } from '../../../src/ui/state/network.svelte';
import { hrefOf, parseHash } from '../../../src/ui/state/routes';
import { Session } from '../../../src/ui/state/session.svelte';

// Kiswahili is loaded on demand in the app (its own chunk); these tests read it at once.
beforeAll(() => loadLanguage('sw'));

class MemoryStorage {
  #items = new Map<string, string>();
  getItem = (key: string) => this.#items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.#items.set(key, value);
  removeItem = (key: string) => void this.#items.delete(key);
}

beforeEach(() => {
  Object.defineProperty(globalThis, 'sessionStorage', {
    value: new MemoryStorage(),
    configurable: true,
  });
});
afterEach(() => locale.set('en'));

const clinicianInvite: InviteSummary = {
  networkName: 'Mbeya CTC network',
  role: 'clinician',
  facilityCode: '12020001',
  facilityName: 'Mbalizi Health Centre',
  district: 'Mbeya DC',
  region: 'Mbeya',
  slot: 3,
  expiresAt: '2026-03-17T12:00:00.000Z' as InviteSummary['expiresAt'],
};

const member = (over: Partial<MemberView>): MemberView => ({
  deviceId: 'dev-a',
  role: 'clinician',
  facilityCode: '12020001',
  facilityName: 'Mbalizi Health Centre',
  slot: 1,
  admin: false,
  revoked: false,
  self: false,
  ...over,
});

const settings: NetworkSettings = {
  networkName: 'Mbeya CTC network',
  secret: 'generated-secret-generated-secret',
  signalingUrls: ['wss://signal.example'],
  iceServers: [],
  relay: false,
};

function fakeNetwork(options: {
  trust?: TrustView;
  opened?: string;
  invite?: InviteSummary | 'expired' | 'malformed';
  members?: MemberView[];
}): NetworkService {
  const view: NetworkView = {
    joined: options.trust !== undefined && options.trust.kind !== 'none',
    networkName: 'Mbeya CTC network',
    syncEnabled: true,
    signaling: 'connected',
    peerConnections: 0,
    peers: [],
    facilities: [
      {
        code: '12020001',
        name: 'Mbalizi Health Centre',
        connected: false,
        devices: 1,
        pendingToSend: 0,
        behind: 0,
      },
    ],
    storageFull: false,
    refusals: [],
    trust: options.trust ?? { kind: 'none' },
  };
  const refusedNow = () =>
    Promise.resolve(err({ type: 'refused' as const, code: 'not-a-member' as const }));
  return {
    settings: () => (view.joined ? settings : undefined),
    defaultSignalingUrls: () => ['wss://a.example', 'wss://b.example'],
    saveSettings: () => Promise.resolve(ok(settings)),
    leave: () => Promise.resolve(),
    status: () => view,
    onStatus: () => () => undefined,
    setSyncEnabled: () => undefined,
    requestRecord: () => Promise.resolve('no-peers'),
    createNetwork: () => Promise.resolve(ok(settings)),
    readInvite: () =>
      options.invite === undefined || options.invite === 'malformed'
        ? err('malformed')
        : options.invite === 'expired'
          ? err('expired')
          : ok(options.invite),
    openedInvite: () => options.opened,
    setOpenedInvite: () => undefined,
    joinWithInvite: () => Promise.resolve(ok(settings)),
    members: () => options.members ?? [],
    nextFreeSlot: () => 2,
    createInvite: refusedNow,
    revoke: () => Promise.resolve(ok(undefined)),
    grantAdmin: () => Promise.resolve(ok(undefined)),
    withdrawAdmin: () => Promise.resolve(ok(undefined)),
  };
}

const clinic = {
  profile: () => undefined,
  storageUsage: () => new Promise(() => undefined),
} as unknown as ClinicService;

const count = (html: string, testid: string) => html.split(`data-testid="${testid}"`).length - 1;

describe('the join route', () => {
  it('is #/join, and an invite payload never reaches a screen as a route', () => {
    expect(parseHash('#/join')).toEqual({ name: 'join' });
    expect(hrefOf({ name: 'join' })).toBe('#/join');
    expect(parseHash(hrefOf({ name: 'join' }))).toEqual({ name: 'join' });
    // main.ts strips the payload before the UI mounts; if one is left it is not a screen.
    expect(parseHash('#/join/eyJ2IjoxfQ').name).toBe('not-found');
  });
});

describe('trust words', () => {
  it('gives every trust problem a sentence of its own in both languages', () => {
    const codes: Record<TrustProblem, true> = {
      'not-set-up': true,
      'already-in-network': true,
      'not-admin': true,
      'invite-other-facility': true,
      'invite-other-role': true,
      'invite-unreadable': true,
      'invite-expired': true,
      'not-a-member': true,
      'unknown-device': true,
      'device-removed': true,
      'already-admin': true,
      'not-an-admin': true,
      'no-district': true,
    };
    for (const language of ['en', 'sw'] as const) {
      locale.set(language);
      const texts = Object.keys(codes).map((code) => trustProblemText(code as TrustProblem, t));
      for (const text of texts) expect(text).not.toMatch(/^trust\./);
    }
    locale.set('en');
    expect(trustProblemText('invite-other-facility', t)).toBe(
      'This invite is for another facility or serial block.',
    );
  });

  it('tells an expired invite from one that cannot be read', () => {
    expect(inviteProblemText('expired', t)).toMatch(/expired/);
    for (const problem of ['not-an-invite', 'malformed', 'unsupported-version'] as const)
      expect(inviteProblemText(problem, t)).toMatch(/cannot be read/);
  });

  it('says what an invite makes this device', () => {
    expect(inviteSummaryText(clinicianInvite, t)).toBe(
      'This device is invited to join "Mbeya CTC network" as a device of Mbalizi Health Centre (serial block 3).',
    );
    expect(inviteSummaryText({ ...clinicianInvite, role: 'relay' }, t)).toMatch(/relay device/);
    locale.set('sw');
    expect(inviteSummaryText(clinicianInvite, t)).toMatch(/Mbalizi Health Centre/);
  });

  it('explains a failed join by its refusal, else in general words', () => {
    expect(joinProblemText({ type: 'refused', code: 'invite-expired' }, t)).toMatch(/expired/);
    expect(joinProblemText({ type: 'storage', code: 'quota-exceeded' }, t)).toMatch(/full/);
    expect(joinProblemText(undefined, t)).toBe('Joining did not work. Please try again.');
  });
});

describe('trust form plumbing', () => {
  it('fills and locks setup from a clinician invite only', () => {
    expect(setupValuesFromInvite(clinicianInvite)).toEqual({
      facilityName: 'Mbalizi Health Centre',
      facilityCode: '12020001',
      region: 'Mbeya',
      district: 'Mbeya DC',
      deviceSlot: '3',
    });
    expect(setupValuesFromInvite({ ...clinicianInvite, role: 'relay' })).toEqual({});
  });

  it('starts a network from the default servers and sends what was typed', () => {
    const values = createNetworkValues(['wss://a', 'wss://b']);
    expect(values.signalingUrls).toBe('wss://a wss://b');
    expect(createNetworkInput({ ...values, networkName: 'Mbeya' })).toEqual({
      networkName: 'Mbeya',
      signalingUrls: 'wss://a wss://b',
      iceUrls: '',
      iceUsername: '',
      iceCredential: '',
    });
  });

  it('invites for a week, one use, a facility device unless relay is chosen', () => {
    expect(inviteInput(defaultInviteValues)).toMatchObject({
      role: 'clinician',
      validDays: '7',
      uses: '1',
    });
    expect(inviteInput({ ...defaultInviteValues, role: 'relay' }).role).toBe('relay');
  });

  it("keeps the network's own name and secret when servers are edited", () => {
    const edited = {
      networkName: '',
      secret: '',
      signalingUrls: 'wss://new',
      iceUrls: '',
      iceUsername: '',
      iceCredential: '',
      relay: true,
    };
    expect(settingsKeepingNetwork(edited, settings)).toEqual({
      ...edited,
      networkName: settings.networkName,
      secret: settings.secret,
    });
  });

  it('lets an admin remove any device but itself or one already removed', () => {
    expect(canRevoke(member({}), true)).toBe(true);
    expect(canRevoke(member({}), false)).toBe(false);
    expect(canRevoke(member({ self: true }), true)).toBe(false);
    expect(canRevoke(member({ revoked: true }), true)).toBe(false);
    expect(memberTags(member({ self: true, admin: true, revoked: true }))).toEqual([
      'self',
      'admin',
      'revoked',
    ]);
  });
});

describe('trust markup', () => {
  it('marks every trust state with its kind', () => {
    const kinds: TrustView[] = [
      { kind: 'none' },
      { kind: 'joining', networkName: 'N' },
      { kind: 'revoked', networkName: 'N' },
      { kind: 'member', networkName: 'N', admin: true, role: 'clinician' },
    ];
    for (const trust of kinds) {
      const { body } = render(TrustBanner, { props: { trust } });
      expect(body).toContain(`data-testid="trust-state"`);
      expect(body).toContain(`data-kind="${trust.kind}"`);
    }
  });

  it('lists members with their tags, and remove buttons only for an admin', () => {
    const members = [
      member({ deviceId: 'self', self: true, admin: true }),
      member({ deviceId: 'other', slot: 2 }),
      member({ deviceId: 'gone', slot: 3, revoked: true }),
    ];
    const service = fakeNetwork({ members });
    const asAdmin = render(MemberList, { props: { service, members, viewerIsAdmin: true } }).body;
    expect(count(asAdmin, 'member')).toBe(3);
    expect(asAdmin).toContain('data-device-id="gone" data-revoked="true"');
    expect(asAdmin).toContain('data-device-id="other" data-revoked="false"');
    expect(count(asAdmin, 'revoke-button')).toBe(1);
    expect(asAdmin).toContain('This device');
    expect(asAdmin).toContain('Removed');
    const asClinician = render(MemberList, { props: { service, members, viewerIsAdmin: false } });
    expect(count(asClinician.body, 'revoke-button')).toBe(0);
  });

  it('MS18 offers admin rights to an admin viewer only, by its own scope, and shows each scope', () => {
    const members = [
      member({ deviceId: 'self', self: true, admin: true, adminScope: { kind: 'network' } }),
      member({ deviceId: 'other', slot: 2 }),
      member({
        deviceId: 'coordinator',
        slot: 3,
        admin: true,
        adminScope: { kind: 'district', district: 'Kinondoni' },
      }),
      member({ deviceId: 'gone', slot: 4, revoked: true }),
    ];
    const service = fakeNetwork({ members });
    const asNetworkAdmin = render(MemberList, {
      props: { service, members, viewerIsAdmin: true },
    }).body;
    expect(count(asNetworkAdmin, 'grant-admin-district')).toBe(1);
    expect(count(asNetworkAdmin, 'grant-admin-network')).toBe(1);
    expect(count(asNetworkAdmin, 'withdraw-admin')).toBe(1);
    expect(count(asNetworkAdmin, 'admin-confirm')).toBe(0);
    expect(count(asNetworkAdmin, 'member-admin-scope')).toBe(2);
    expect(asNetworkAdmin).toContain('Admin: whole network');
    expect(asNetworkAdmin).toContain('Admin: Kinondoni');

    // A district admin gives district rights only, and takes none back (MB13).
    const asDistrictAdmin = members.map((m) =>
      m.self ? { ...m, adminScope: { kind: 'district' as const, district: 'Kinondoni' } } : m,
    );
    const district = render(MemberList, {
      props: { service, members: asDistrictAdmin, viewerIsAdmin: true },
    }).body;
    expect(count(district, 'grant-admin-district')).toBe(1);
    expect(count(district, 'grant-admin-network')).toBe(0);
    expect(count(district, 'withdraw-admin')).toBe(0);

    const plain = members.map((m) => (m.self ? member({ deviceId: 'self', self: true }) : m));
    const asClinician = render(MemberList, {
      props: { service, members: plain, viewerIsAdmin: false },
    }).body;
    for (const id of ['grant-admin-district', 'grant-admin-network', 'withdraw-admin'])
      expect(count(asClinician, id), id).toBe(0);
    expect(count(asClinician, 'member-admin-scope')).toBe(1);
    locale.set('sw');
    const swahili = render(MemberList, { props: { service, members, viewerIsAdmin: true } }).body;
    expect(swahili).toContain('Mratibu: Kinondoni');
  });

  it('shows an admin the invite form, and a clinician only the list', () => {
    const members = [member({ deviceId: 'self', self: true, admin: true })];
    const admin = fakeNetwork({
      trust: { kind: 'member', networkName: 'N', admin: true, role: 'clinician' },
      members,
    });
    const html = render(Network, { props: { network: new NetworkState(admin) } }).body;
    for (const id of ['trust-state', 'members', 'member', 'invite-form', 'invite-button'])
      expect(html, id).toContain(`data-testid="${id}"`);
    for (const id of ['facilityCode', 'facilityName', 'district', 'region', 'deviceSlot'])
      expect(html, id).toContain(`id="${id}"`);
    expect(html).toMatch(/id="validDays"[^>]*value="7"/);
    expect(html).toMatch(/id="uses"[^>]*value="1"/);
    expect(html).toContain('network-name'); // what was there stays

    const clinician = fakeNetwork({
      trust: { kind: 'member', networkName: 'N', admin: false, role: 'clinician' },
      members,
    });
    const plain = render(Network, { props: { network: new NetworkState(clinician) } }).body;
    expect(plain).not.toContain('data-testid="invite-form"');
  });

  it('offers to start a network, or edits only the servers of one', () => {
    const fresh = new Session(clinic, fakeNetwork({}));
    const none = render(Settings, { context: sessionContext(fresh) }).body;
    for (const id of ['create-network-form', 'create-network-button', 'join-link'])
      expect(none, id).toContain(`data-testid="${id}"`);
    for (const id of ['networkName', 'signalingUrls', 'iceUrls', 'iceUsername', 'iceCredential'])
      expect(none, id).toContain(`id="${id}"`);
    expect(none).toContain('wss://a.example wss://b.example');
    expect(none).not.toContain('data-testid="network-form"');

    const joined = new Session(
      clinic,
      fakeNetwork({ trust: { kind: 'member', networkName: 'N', admin: false, role: 'relay' } }),
    );
    const member = render(Settings, { context: sessionContext(joined) }).body;
    expect(member).toContain('data-testid="network-form"');
    expect(member).not.toContain('id="networkName"');
    expect(member).not.toContain('id="secret"');
    expect(member).toContain('id="signalingUrls"');
  });

  it('fills setup from an opened clinician invite and locks those fields', () => {
    const session = new Session(
      clinic,
      fakeNetwork({ opened: '#/join/x', invite: clinicianInvite }),
    );
    const html = render(Setup, { context: sessionContext(session) }).body;
    expect(html).toContain('data-testid="join-invite"');
    expect(html).toContain('Mbalizi Health Centre (serial block 3)');
    expect(html).toMatch(/id="deviceSlot"[^>]*readonly[^>]*value="3"|value="3"[^>]*readonly/);
    expect(html).toMatch(/id="facilityCode"[^>]*readonly/);
    expect(html).toMatch(/id="userName"(?![^>]*readonly)/);
  });

  it('says an expired invite is expired and lets setup go on', () => {
    const session = new Session(clinic, fakeNetwork({ opened: '#/join/x', invite: 'expired' }));
    const html = render(Setup, { context: sessionContext(session) }).body;
    expect(html).toContain('data-testid="invite-problem"');
    expect(html).not.toContain('data-testid="join-invite"');
    expect(html).toMatch(/id="facilityCode"(?![^>]*readonly)/);
  });

  it('joins with the opened invite, or asks for a link', () => {
    const opened = fakeNetwork({ opened: '#/join/x', invite: clinicianInvite });
    const withInvite = render(Join, { props: { network: new NetworkState(opened) } }).body;
    expect(withInvite).toContain('data-testid="screen-join"');
    expect(withInvite).toContain('data-testid="join-invite"');
    expect(withInvite).toContain('data-testid="join-button"');
    expect(withInvite).not.toContain('id="inviteLink"');

    const plain = render(Join, { props: { network: new NetworkState(fakeNetwork({})) } }).body;
    expect(plain).toContain('id="inviteLink"');
    expect(plain).toContain('data-testid="join-button"');
  });
});
