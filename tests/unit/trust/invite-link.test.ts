import { describe, expect, it } from 'vitest';
import { fromB64url, toB64url, utf8 } from '../../../src/crdt/trust/encoding';
import type { InviteSecret } from '../../../src/crdt/trust/invite';
import {
  consumeInviteFromLocation,
  decodeInviteLink,
  encodeInviteLink,
  JOIN_ROUTE,
  type HistoryLike,
  type Invite,
} from '../../../src/crdt/trust/invite-link';
import type { PublicKeyB64 } from '../../../src/crdt/trust/types';
import type { FacilityCode } from '../../../src/domain/types';

const APP = 'https://pamoja.example/app/';
const seed = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 3) & 0xff) as InviteSecret;
const signalingSecret = 'S3cret-signaling-0123456789abcdef';

const clinicianInvite: Invite = {
  version: 1,
  network: {
    networkId: 'n4f2a9c01',
    networkName: 'Mbeya District',
    rootPublicKey: toB64url(new Uint8Array(32).fill(9)) as PublicKeyB64,
    rootAlgorithm: 'Ed25519',
    signalingSecret,
    signalingUrls: ['wss://signal.example/ws', 'ws://192.168.1.10:4444'],
  },
  inviteOpId: 'q7Jm2c0XoV4tYbRz9sLw1kPdHf3nAe6GuIi8TjKxWyM',
  secret: seed,
  grant: { role: 'clinician', facilityCode: '07010100' as FacilityCode, slot: 3 },
  facilityName: 'Kituo cha Afya Igawilo',
  facilityDistrict: 'Mbeya Urban',
  facilityRegion: 'Mbeya',
  expiresAt: Date.UTC(2027, 0, 31),
};

const supervisorInvite: Invite = {
  ...clinicianInvite,
  grant: { role: 'supervisor', readScope: { kind: 'district', district: 'Mbeya' } },
};
delete supervisorInvite.facilityName;
delete supervisorInvite.facilityDistrict;
delete supervisorInvite.facilityRegion;

const clock = (iso: string) => ({ now: () => Date.parse(iso) });

/** A link whose payload is the given JSON (what a hand-edited or hostile link looks like). */
const linkWith = (payload: unknown) => `${APP}#/join/${toB64url(utf8(JSON.stringify(payload)))}`;
const payloadOf = (link: string): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(fromB64url(link.split('#/join/')[1]!))) as Record<
    string,
    unknown
  >;

function decoded(link: string): Invite {
  const result = decodeInviteLink(link);
  if (!result.ok) throw new Error(`expected an invite, got ${JSON.stringify(result.error)}`);
  return result.value;
}

describe('invite link round trip (I7, I8)', () => {
  it.each([
    ['clinician', clinicianInvite],
    ['supervisor', supervisorInvite],
    [
      'supervisor of the whole network',
      { ...supervisorInvite, grant: { role: 'supervisor', readScope: { kind: 'network' } } },
    ],
    ['relay', { ...supervisorInvite, grant: { role: 'relay' } }],
  ] as Array<[string, Invite]>)('I8: a %s invite decodes to what was encoded', (_, invite) => {
    const link = encodeInviteLink(invite, APP);
    expect(link.startsWith(`${APP}#/join/`)).toBe(true);
    expect(decoded(link)).toEqual(invite);
  });

  it('I7: nothing secret appears before the "#"', () => {
    const link = encodeInviteLink(clinicianInvite, `${APP}?lang=sw#/register`);
    const [beforeFragment, fragment] = link.split('#');
    expect(beforeFragment).toBe(APP);
    for (const secret of [signalingSecret, toB64url(seed), 'Mbeya', '07010100']) {
      expect(beforeFragment).not.toContain(secret);
    }
    // …and the secrets really are in the fragment.
    const payload = payloadOf(`#${fragment}`);
    expect(payload.ss).toBe(signalingSecret);
    expect(payload.s).toBe(toB64url(seed));
    expect(new URL(link).hash.length).toBeGreaterThan(20);
  });

  it('I8: an invite is decoded from the fragment alone too', () => {
    const link = encodeInviteLink(clinicianInvite, APP);
    expect(decodeInviteLink(new URL(link).hash)).toEqual({ ok: true, value: clinicianInvite });
  });

  it('I13: a full invite fits comfortably in one QR code', () => {
    expect(encodeInviteLink(clinicianInvite, APP).length).toBeLessThan(700);
  });
});

describe('bad invite links (I8, I9)', () => {
  it('I8: links that are not invites say so', () => {
    for (const link of ['', 'hello', APP, `${APP}#/patient/1`, `${APP}#/join`, '#/joinX/abc']) {
      expect(decodeInviteLink(link)).toEqual({ ok: false, error: { type: 'not-an-invite' } });
    }
  });

  it('I8: an expired invite is refused once a clock says so', () => {
    const link = encodeInviteLink(clinicianInvite, APP);
    expect(decodeInviteLink(link, { clock: clock('2027-01-30T23:59:59Z') }).ok).toBe(true);
    expect(decodeInviteLink(link, { clock: clock('2027-01-31T00:00:00Z') })).toEqual({
      ok: false,
      error: {
        type: 'expired',
        expiresAt: clinicianInvite.expiresAt,
        networkName: 'Mbeya District',
      },
    });
  });

  it('I9: another version is unsupported, not malformed', () => {
    const payload = payloadOf(encodeInviteLink(clinicianInvite, APP));
    expect(decodeInviteLink(linkWith({ ...payload, v: 2 }))).toEqual({
      ok: false,
      error: { type: 'unsupported-version', version: 2 },
    });
  });

  it('I9: a damaged payload is malformed', () => {
    const link = encodeInviteLink(clinicianInvite, APP);
    const cases = [
      link.slice(0, -7), // cut short (the QR scan of a torn print)
      link.replace('#/join/', '#/join/%%'),
      `${link}=`,
      `${APP}#/join/${toB64url(utf8('not json'))}`,
      `${APP}#/join/${toB64url(Uint8Array.from([0xff, 0xfe, 0x7b]))}`,
      linkWith([1, 2]),
      `${APP}#/join/${'A'.repeat(5000)}`,
    ];
    for (const bad of cases) {
      const result = decodeInviteLink(bad);
      expect(result.ok ? 'ok' : result.error.type, bad.slice(-30)).toBe('malformed');
    }
  });

  it('I9: a tampered field is named and refused', () => {
    const payload = payloadOf(encodeInviteLink(clinicianInvite, APP));
    const grant = payload.g as Record<string, unknown>;
    const cases: Array<[string, Record<string, unknown>]> = [
      ['secret', { ...payload, s: toB64url(new Uint8Array(31)) }],
      ['secret', { ...payload, s: 'x' }],
      ['root-key', { ...payload, rk: toB64url(new Uint8Array(31)) }],
      ['root-key', { ...payload, ra: 'RSA' }],
      ['network-name', { ...payload, nn: 'ab' }],
      ['network-id', { ...payload, n: 'has space' }],
      ['signaling-secret', { ...payload, ss: 'short' }],
      ['signaling-urls', { ...payload, su: [] }],
      ['signaling-urls', { ...payload, su: ['https://evil.example'] }],
      ['expires-at', { ...payload, x: '2027-01-31' }],
      ['invite-op-id', { ...payload, io: undefined }], // I16
      ['invite-op-id', { ...payload, io: 'has space' }],
      ['unknown-field', { ...payload, admin: true }],
      ['role', { ...payload, g: { ...grant, r: 'admin' } }],
      ['facility-code', { ...payload, g: { ...grant, fc: '0701' } }],
      ['slot', { ...payload, g: { ...grant, sl: 100 } }],
      ['slot', { ...payload, g: { ...grant, sl: 1.5 } }],
      ['read-scope', { ...payload, g: { ...grant, all: 1 } }],
      ['read-scope', { ...payload, g: { r: 'supervisor' } }],
      ['facility-code', { ...payload, g: { r: 'supervisor', all: 1, fc: '07010100' } }],
      ['grant', { ...payload, g: { ...grant, extra: 1 } }],
    ];
    for (const [detail, tampered] of cases) {
      expect(decodeInviteLink(linkWith(tampered)), detail).toEqual({
        ok: false,
        error: { type: 'malformed', detail },
      });
    }
  });

  it('I9: an admin screen cannot make a link that would not decode', () => {
    const bad = { ...clinicianInvite, grant: { role: 'clinician' as const, slot: 3 } };
    expect(() => encodeInviteLink(bad, APP)).toThrow(/facility-code/);
  });
});

describe('consumeInviteFromLocation (I10)', () => {
  function fakeBrowser(href: string) {
    const url = new URL(href);
    const entries: string[] = [url.href];
    const history: HistoryLike & { entries: string[] } = {
      state: { app: 'pamoja' },
      entries,
      replaceState(_data, _unused, next) {
        entries[entries.length - 1] = new URL(next ?? '', url).href;
      },
    };
    return { location: { hash: url.hash, pathname: url.pathname, search: url.search }, history };
  }

  it('I10: reads the invite and leaves no secret in the address bar or history', () => {
    const link = encodeInviteLink(clinicianInvite, APP);
    const { location, history } = fakeBrowser(link);
    expect(consumeInviteFromLocation(location, history)).toEqual({
      ok: true,
      value: clinicianInvite,
    });
    expect(history.entries).toEqual([`${APP}${JOIN_ROUTE}`]);
    expect(history.entries.join()).not.toContain(toB64url(seed));
    expect(history.entries.join()).not.toContain(link.split('#/join/')[1]!.slice(0, 20));
  });

  it('I10: a broken or expired invite is removed from the address bar too', () => {
    const link = encodeInviteLink(clinicianInvite, APP);
    for (const [href, type] of [
      [link.slice(0, -5), 'malformed'],
      [link, 'expired'],
    ] as const) {
      const { location, history } = fakeBrowser(href);
      const result = consumeInviteFromLocation(location, history, {
        clock: clock('2028-01-01T00:00:00Z'),
      });
      expect(result.ok ? 'ok' : result.error.type).toBe(type);
      expect(history.entries).toEqual([`${APP}${JOIN_ROUTE}`]);
    }
  });

  it('I10: any other address is left alone', () => {
    const { location, history } = fakeBrowser(`${APP}?lang=sw#/patient/07-01-0100-2026-00012`);
    expect(consumeInviteFromLocation(location, history)).toEqual({
      ok: false,
      error: { type: 'not-an-invite' },
    });
    expect(history.entries).toEqual([`${APP}?lang=sw#/patient/07-01-0100-2026-00012`]);
  });
});
