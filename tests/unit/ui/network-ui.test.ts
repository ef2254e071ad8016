import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FacilityView, NetworkSettings, NetworkView, PeerView } from '../../../src/app/views';
import type { IsoDateTime } from '../../../src/domain/types';
import { validateNetworkSettings } from '../../../src/domain/schemas/network-settings';
import { networkSettingsInput, networkSettingsValues } from '../../../src/ui/forms/network';
import { loadLanguage, locale, t } from '../../../src/ui/i18n/i18n.svelte';
import { chipState, onlineFirst, peersInOrder } from '../../../src/ui/network-status';
import { ageOf, relativeTime } from '../../../src/ui/relative-time';
import { hrefOf, parseHash } from '../../../src/ui/state/routes';

// Kiswahili is loaded on demand in the app (its own chunk); these tests read it at once.
beforeAll(() => loadLanguage('sw'));

afterEach(() => locale.set('en'));

const now = Date.parse('2026-03-10T12:00:00.000Z');
const ago = (ms: number) => new Date(now - ms).toISOString();
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

describe('relative time', () => {
  it('reads in whole minutes, hours and days, rounding down', () => {
    expect(ageOf(ago(59_999), now)).toEqual({ unit: 'now' });
    expect(ageOf(ago(minute), now)).toEqual({ unit: 'minutes', count: 1 });
    expect(ageOf(ago(59 * minute + 59_000), now)).toEqual({ unit: 'minutes', count: 59 });
    expect(ageOf(ago(hour), now)).toEqual({ unit: 'hours', count: 1 });
    expect(ageOf(ago(23 * hour + 59 * minute), now)).toEqual({ unit: 'hours', count: 23 });
    expect(ageOf(ago(3 * day + hour), now)).toEqual({ unit: 'days', count: 3 });
  });

  it('calls a time ahead of this device\'s clock "just now" instead of a negative age', () => {
    expect(relativeTime(ago(-5 * minute), now, t)).toBe('just now');
  });

  it('shows an unreadable time as it came rather than "NaN minutes ago"', () => {
    expect(ageOf('yesterday', now)).toBeUndefined();
    expect(relativeTime('yesterday', now, t)).toBe('yesterday');
  });

  it('speaks English with singular and plural', () => {
    expect(relativeTime(ago(10_000), now, t)).toBe('just now');
    expect(relativeTime(ago(minute), now, t)).toBe('1 minute ago');
    expect(relativeTime(ago(3 * minute), now, t)).toBe('3 minutes ago');
    expect(relativeTime(ago(hour), now, t)).toBe('1 hour ago');
    expect(relativeTime(ago(5 * hour), now, t)).toBe('5 hours ago');
    expect(relativeTime(ago(day), now, t)).toBe('1 day ago');
    expect(relativeTime(ago(12 * day), now, t)).toBe('12 days ago');
  });

  it('speaks Swahili with singular and plural agreement', () => {
    locale.set('sw');
    expect(relativeTime(ago(10_000), now, t)).toBe('sasa hivi');
    expect(relativeTime(ago(minute), now, t)).toBe('dakika 1 iliyopita');
    expect(relativeTime(ago(3 * minute), now, t)).toBe('dakika 3 zilizopita');
    expect(relativeTime(ago(2 * hour), now, t)).toBe('saa 2 zilizopita');
    expect(relativeTime(ago(day), now, t)).toBe('siku 1 iliyopita');
    expect(relativeTime(ago(4 * day), now, t)).toBe('siku 4 zilizopita');
  });
});

const facility = (code: string, connected: boolean, name?: string): FacilityView => ({
  code,
  connected,
  devices: connected ? 1 : 0,
  pendingToSend: 0,
  behind: 0,
  ...(name ? { name } : {}),
});

describe('facility list', () => {
  it('puts online facilities first, each group by name (or code when unnamed)', () => {
    const list = [
      facility('03010001', false, 'Amana'),
      facility('03010002', true, 'Temeke'),
      facility('03010003', false),
      facility('03010004', true, 'Mwananyamala'),
      facility('02010001', false, 'Zanaki'),
    ];
    expect(onlineFirst(list).map((f) => f.name ?? f.code)).toEqual([
      'Mwananyamala',
      'Temeke',
      '03010003',
      'Amana',
      'Zanaki',
    ]);
    // The status view it came from is left as it was.
    expect(list[0]?.name).toBe('Amana');
  });
});

const peer = (deviceId: string, connected: boolean, lastReceivedAt?: string): PeerView => ({
  deviceId,
  facilityCode: '03010001',
  sameDevice: false,
  relay: false,
  connected,
  pendingToSend: 0,
  behind: 0,
  ...(lastReceivedAt ? { lastReceivedAt: lastReceivedAt as IsoDateTime } : {}),
});

describe('device list', () => {
  it('shows connected devices first, then the most recently heard, never heard last', () => {
    const list = [
      peer('d-never', false),
      peer('d-old', false, ago(2 * day)),
      peer('d-live', true, ago(minute)),
      peer('d-recent', false, ago(hour)),
    ];
    expect(peersInOrder(list).map((p) => p.deviceId)).toEqual([
      'd-live',
      'd-recent',
      'd-old',
      'd-never',
    ]);
  });
});

const view = (over: Partial<NetworkView>): NetworkView => ({
  joined: true,
  networkName: 'Mbeya CTC network',
  syncEnabled: true,
  signaling: 'connected',
  peerConnections: 0,
  peers: [],
  facilities: [],
  storageFull: false,
  refusals: [],
  trust: { kind: 'member', networkName: 'Mbeya CTC network', admin: false, role: 'clinician' },
  ...over,
});

describe('header chip', () => {
  it('says online while the signaling server or any device is reachable', () => {
    expect(chipState(view({}))).toBe('online');
    expect(chipState(view({ signaling: 'offline', peerConnections: 2 }))).toBe('online');
  });

  it('says offline when nothing is reachable, whatever the reason', () => {
    for (const signaling of ['offline', 'connecting', 'backing-off', 'off'] as const)
      expect(chipState(view({ signaling })), signaling).toBe('offline');
  });

  it('tells "working offline by choice" and "not in a network" apart from offline', () => {
    expect(chipState(view({ syncEnabled: false, signaling: 'off' }))).toBe('paused');
    expect(chipState(view({ joined: false, signaling: 'off' }))).toBe('not-joined');
  });
});

describe('network settings form', () => {
  it("starts a device that has not joined from the build's signaling servers", () => {
    const values = networkSettingsValues(undefined, ['wss://a.example.org', 'ws://127.0.0.1:4444']);
    expect(values).toMatchObject({
      networkName: '',
      secret: '',
      signalingUrls: 'wss://a.example.org\nws://127.0.0.1:4444',
      iceUrls: '',
    });
  });

  it('shows saved settings so that saving them again gives the same settings', () => {
    const saved: NetworkSettings = {
      networkName: 'Mbeya CTC network',
      secret: 'kilimanjaro-2026-secret',
      signalingUrls: ['wss://a.example.org', 'wss://b.example.org'],
      iceServers: [
        { urls: ['stun:stun.example.org:3478'] },
        { urls: ['turn:turn.example.org:3478'], username: 'ctc', credential: 'pw-123' },
      ],
      relay: true,
    };
    const values = networkSettingsValues(saved, ['ws://ignored:4444']);
    expect(values.signalingUrls).toBe('wss://a.example.org\nwss://b.example.org');
    const again = validateNetworkSettings({ ...networkSettingsInput(values) });
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    expect(again.value.networkName).toBe(saved.networkName);
    expect(again.value.secret).toBe(saved.secret);
    expect(again.value.signalingUrls).toEqual(saved.signalingUrls);
    // A relay device stays a relay when its settings are saved again.
    expect(again.value.relay).toBe(true);
    expect(again.value.iceServers).toEqual([
      {
        urls: ['stun:stun.example.org:3478', 'turn:turn.example.org:3478'],
        username: 'ctc',
        credential: 'pw-123',
      },
    ]);
  });

  it('sends every field as text, even one the form never filled', () => {
    expect(networkSettingsInput({ networkName: 'X', secret: true })).toEqual({
      networkName: 'X',
      secret: '',
      signalingUrls: '',
      iceUrls: '',
      iceUsername: '',
      iceCredential: '',
      relay: false,
    });
  });

  it('labels every field the service can complain about, in both languages', () => {
    for (const field of [
      'networkName',
      'secret',
      'signalingUrls',
      'iceUrls',
      'iceUsername',
      'iceCredential',
      'relay',
    ] as const) {
      locale.set('en');
      const english = t(`fields.${field}`);
      locale.set('sw');
      const swahili = t(`fields.${field}`);
      expect(english, field).not.toBe(`fields.${field}`);
      expect(swahili, field).not.toBe(english);
    }
  });
});

describe('the network route', () => {
  it('is reachable by its own address', () => {
    expect(parseHash('#/network')).toEqual({ name: 'network' });
    expect(hrefOf({ name: 'network' })).toBe('#/network');
  });
});
