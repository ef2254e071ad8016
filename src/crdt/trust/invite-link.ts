/**
 * The invite link (issue 8 point 3, protocol I7–I13): `<app url>#/join/<payload>`, where the
 * payload is base64url of a compact JSON object. Everything in it (network, signaling secret,
 * invite seed, grant) sits in the URL fragment, which browsers never send to any server, not even
 * in a Referer; `consumeInviteFromLocation` then removes it from the address bar and history.
 * The link is a claim, not an authority: what the newcomer is granted is what the admin-signed
 * `invite` op says (I12), so decoding is strict about shape and says nothing about trust.
 */
import { isFacilityCode } from '../../domain/ctc-id';
import { networkLimits } from '../../domain/schemas/network-settings';
import type { FacilityCode } from '../../domain/types';
import type { Clock } from '../../lib/deps';
import { err, ok, type Result } from '../../lib/result';
import { fromB64url, toB64url, utf8 } from './encoding';
import { isInviteSecret, type InviteSecret } from './invite';
import type { DeviceRole, KeyAlgorithm, PublicKeyB64, ReadScope } from './types';

export const INVITE_LINK_VERSION = 1;
/** Where the app lands once the secret is gone from the address bar (I10). */
export const JOIN_ROUTE = '#/join';
const JOIN_PREFIX = '#/join/';
/** Keeps the whole link well inside one QR code at error correction M (2,331 bytes, I13). */
export const MAX_PAYLOAD_CHARS = 1800;
const MAX_URLS = 8;
const MAX_URL_CHARS = 256;
const MAX_ID_CHARS = 64;
const MAX_FACILITY_NAME_CHARS = 100;
const MAX_DISTRICT_CHARS = 64;
const MAX_SLOT = 99;

/** What an invite lets a device become: the same fields as the membership `invite` op's grant. */
export interface InviteGrant {
  role: DeviceRole;
  facilityCode?: FacilityCode;
  slot?: number;
  readScope?: ReadScope;
}

/** The network a newcomer joins: enough to find peers and check the history back to its root. */
export interface InviteNetwork {
  networkId: string;
  networkName: string;
  /** The network's root admin key: the membership history must verify back to it (I11). */
  rootPublicKey: PublicKeyB64;
  rootAlgorithm: KeyAlgorithm;
  /** Today's network secret, from which signaling topic and cipher keys are derived. Secret. */
  signalingSecret: string;
  signalingUrls: string[];
}

export interface Invite {
  version: typeof INVITE_LINK_VERSION;
  network: InviteNetwork;
  /**
   * I16: id of the admin's signed `invite` op in the membership history: the newcomer's
   * redemption names it as its parent, so the invite is in its causal past (MB14).
   */
  inviteOpId: string;
  /** The invite seed (secret): derives the invite key that signs the redeem proof. */
  secret: InviteSecret;
  grant: InviteGrant;
  /** Shown on the join screen only; the register's own name wins once it syncs. */
  facilityName?: string;
  /** The facility's district and region, so the newcomer's setup asks nothing it cannot know. */
  facilityDistrict?: string;
  facilityRegion?: string;
  /** Epoch ms after which peers refuse to redeem it; shown on the join screen. */
  expiresAt: number;
}

export type InviteLinkError =
  | { type: 'not-an-invite' }
  | { type: 'malformed'; detail: string }
  | { type: 'unsupported-version'; version: unknown }
  | { type: 'expired'; expiresAt: number; networkName: string };

/** Wire form: short keys, since every character makes the QR code denser. */
interface InvitePayload {
  v: number;
  n: string;
  nn: string;
  rk: string;
  ra: KeyAlgorithm;
  ss: string;
  su: string[];
  s: string;
  io: string;
  g: {
    r: DeviceRole;
    fc?: string;
    fn?: string;
    fd?: string;
    fr?: string;
    sl?: number;
    d?: string;
    all?: 1;
  };
  x: number;
}

const RAW_KEY_BYTES: Record<KeyAlgorithm, number> = { Ed25519: 32, 'P-256': 65 };
const ROLES: readonly DeviceRole[] = ['clinician', 'supervisor', 'relay'];
const textDecoder = new TextDecoder('utf-8', { fatal: true });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isText = (value: unknown, min: number, max: number): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= max;

/** Printable, no spaces: ids and secrets must survive copy, paste and QR without change. */
const isToken = (value: unknown, min: number, max: number): value is string =>
  isText(value, min, max) && /^[\x21-\x7e]+$/.test(value);

function isSignalingUrl(value: unknown): value is string {
  if (!isText(value, 1, MAX_URL_CHARS)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'wss:' || url.protocol === 'ws:';
  } catch {
    return false;
  }
}

function isRootKey(key: unknown, algorithm: unknown): algorithm is KeyAlgorithm {
  if (algorithm !== 'Ed25519' && algorithm !== 'P-256') return false;
  if (typeof key !== 'string') return false;
  const raw = fromB64url(key);
  return raw?.length === RAW_KEY_BYTES[algorithm] && (algorithm === 'Ed25519' || raw[0] === 0x04);
}

const hasOnlyKeys = (value: Record<string, unknown>, allowed: readonly string[]): boolean =>
  Object.keys(value).every((key) => allowed.includes(key));

/** Why a grant cannot be in an invite (I9), or undefined when it can. */
export function grantIssue(grant: InviteGrant): string | undefined {
  if (!ROLES.includes(grant.role)) return 'role';
  const { facilityCode, slot, readScope } = grant;
  if (grant.role === 'clinician') {
    if (!isFacilityCode(facilityCode)) return 'facility-code';
    if (!Number.isInteger(slot) || slot! < 1 || slot! > MAX_SLOT) return 'slot';
    if (readScope !== undefined) return 'read-scope';
  } else {
    if (facilityCode !== undefined || slot !== undefined) return 'facility-code';
    if (grant.role === 'supervisor') {
      if (readScope?.kind === 'district') {
        if (!isText(readScope.district, 1, MAX_DISTRICT_CHARS)) return 'read-scope';
      } else if (readScope?.kind !== 'network') return 'read-scope';
    } else if (readScope !== undefined) return 'read-scope';
  }
  return undefined;
}

function toPayload(invite: Invite): InvitePayload {
  const { network, grant } = invite;
  const g: InvitePayload['g'] = { r: grant.role };
  if (grant.facilityCode !== undefined) g.fc = grant.facilityCode;
  if (invite.facilityName !== undefined) g.fn = invite.facilityName;
  if (invite.facilityDistrict !== undefined) g.fd = invite.facilityDistrict;
  if (invite.facilityRegion !== undefined) g.fr = invite.facilityRegion;
  if (grant.slot !== undefined) g.sl = grant.slot;
  if (grant.readScope?.kind === 'district') g.d = grant.readScope.district;
  if (grant.readScope?.kind === 'network') g.all = 1;
  return {
    v: INVITE_LINK_VERSION,
    n: network.networkId,
    nn: network.networkName,
    rk: network.rootPublicKey,
    ra: network.rootAlgorithm,
    ss: network.signalingSecret,
    su: network.signalingUrls,
    s: toB64url(invite.secret),
    io: invite.inviteOpId,
    g,
    x: invite.expiresAt,
  };
}

/** Checks a decoded payload field by field (I9); the first problem names itself. */
function fromPayload(value: unknown): Result<Invite, InviteLinkError> {
  const bad = (detail: string) => err({ type: 'malformed' as const, detail });
  if (!isRecord(value)) return bad('payload');
  if (value.v !== INVITE_LINK_VERSION) {
    return err({ type: 'unsupported-version', version: value.v });
  }
  if (!hasOnlyKeys(value, ['v', 'n', 'nn', 'rk', 'ra', 'ss', 'su', 's', 'io', 'g', 'x'])) {
    return bad('unknown-field');
  }
  if (!isToken(value.n, 1, MAX_ID_CHARS)) return bad('network-id');
  if (!isText(value.nn, networkLimits.nameMin, networkLimits.nameMax)) return bad('network-name');
  if (!isRootKey(value.rk, value.ra)) return bad('root-key');
  if (!isToken(value.ss, networkLimits.secretMin, networkLimits.secretMax)) {
    return bad('signaling-secret');
  }
  const urls = value.su;
  if (!Array.isArray(urls) || urls.length < 1 || urls.length > MAX_URLS) {
    return bad('signaling-urls');
  }
  if (!urls.every(isSignalingUrl)) return bad('signaling-urls');
  const secret = typeof value.s === 'string' ? fromB64url(value.s) : undefined;
  if (!isInviteSecret(secret)) return bad('secret');
  if (!Number.isSafeInteger(value.x) || (value.x as number) <= 0) return bad('expires-at');
  if (!isToken(value.io, 1, MAX_ID_CHARS)) return bad('invite-op-id');

  const g = value.g;
  if (!isRecord(g) || !hasOnlyKeys(g, ['r', 'fc', 'fn', 'fd', 'fr', 'sl', 'd', 'all'])) {
    return bad('grant');
  }
  if (g.fn !== undefined && !isText(g.fn, 1, MAX_FACILITY_NAME_CHARS)) return bad('facility-name');
  if (g.fd !== undefined && !isText(g.fd, 1, MAX_DISTRICT_CHARS)) return bad('facility-district');
  if (g.fr !== undefined && !isText(g.fr, 1, MAX_DISTRICT_CHARS)) return bad('facility-region');
  if (g.all !== undefined && (g.all !== 1 || g.d !== undefined)) return bad('read-scope');
  if (g.d !== undefined && typeof g.d !== 'string') return bad('read-scope');
  const grant: InviteGrant = { role: g.r as DeviceRole };
  if (g.fc !== undefined) grant.facilityCode = g.fc as FacilityCode;
  if (g.sl !== undefined) grant.slot = g.sl as number;
  if (g.all === 1) grant.readScope = { kind: 'network' };
  if (typeof g.d === 'string') grant.readScope = { kind: 'district', district: g.d };
  const issue = grantIssue(grant);
  if (issue) return bad(issue);

  return ok({
    version: INVITE_LINK_VERSION,
    network: {
      networkId: value.n,
      networkName: value.nn,
      rootPublicKey: value.rk as PublicKeyB64,
      rootAlgorithm: value.ra,
      signalingSecret: value.ss,
      signalingUrls: [...urls],
    },
    inviteOpId: value.io,
    secret,
    grant,
    ...(typeof g.fn === 'string' ? { facilityName: g.fn } : {}),
    ...(typeof g.fd === 'string' ? { facilityDistrict: g.fd } : {}),
    ...(typeof g.fr === 'string' ? { facilityRegion: g.fr } : {}),
    expiresAt: value.x as number,
  });
}

/**
 * Builds the link for `appUrl` (the app's address; its own fragment and query are dropped so
 * nothing but the app's path precedes '#', I7). Throws on an invite that could not be decoded
 * back: the admin's own screen made it, so that is a bug, not input.
 */
export function encodeInviteLink(invite: Invite, appUrl: string): string {
  const decodedBack = fromPayload(JSON.parse(JSON.stringify(toPayload(invite))));
  if (!decodedBack.ok) throw new Error(`invalid invite: ${JSON.stringify(decodedBack.error)}`);
  const payload = toB64url(utf8(JSON.stringify(toPayload(invite))));
  if (payload.length > MAX_PAYLOAD_CHARS) throw new Error('invite too large for one QR code');
  const base = new URL(appUrl);
  base.hash = '';
  base.search = '';
  return `${base.href}${JOIN_PREFIX}${payload}`;
}

/** The fragment of a link, or the text itself when it already is one ('#…'). */
function fragmentOf(link: string): string | undefined {
  if (link.startsWith('#')) return link;
  try {
    return new URL(link).hash;
  } catch {
    return undefined;
  }
}

export interface DecodeInviteOptions {
  /** When given, an invite at or past its expiry is `expired` (I8). */
  clock?: Clock;
}

/** Decodes a scanned or opened link (I8, I9). Total: every bad input is a typed error. */
export function decodeInviteLink(
  link: string,
  options: DecodeInviteOptions = {},
): Result<Invite, InviteLinkError> {
  if (typeof link !== 'string') return err({ type: 'not-an-invite' });
  const fragment = fragmentOf(link.trim());
  if (fragment === undefined || !fragment.startsWith(JOIN_PREFIX)) {
    return err({ type: 'not-an-invite' });
  }
  const payload = fragment.slice(JOIN_PREFIX.length);
  if (payload.length === 0 || payload.length > MAX_PAYLOAD_CHARS) {
    return err({ type: 'malformed', detail: 'length' });
  }
  const bytes = fromB64url(payload);
  if (bytes === undefined) return err({ type: 'malformed', detail: 'base64url' });
  let json: unknown;
  try {
    json = JSON.parse(textDecoder.decode(bytes));
  } catch {
    return err({ type: 'malformed', detail: 'json' });
  }
  const invite = fromPayload(json);
  if (!invite.ok) return invite;
  if (options.clock && options.clock.now() >= invite.value.expiresAt) {
    const { expiresAt, network } = invite.value;
    return err({ type: 'expired', expiresAt, networkName: network.networkName });
  }
  return invite;
}

/** The parts of `window.location` and `window.history` this needs (fakes in tests). */
export interface LocationLike {
  readonly hash: string;
  readonly pathname: string;
  readonly search: string;
}
export interface HistoryLike {
  readonly state: unknown;
  replaceState(data: unknown, unused: string, url?: string): void;
}

/**
 * Reads an invite from the address bar and removes its secret from there and from history
 * (I10). A join fragment is removed even when it does not decode (a broken or expired link
 * still carries secrets). Anything that is not a join fragment is left alone: `not-an-invite`.
 */
export function consumeInviteFromLocation(
  location: LocationLike,
  history: HistoryLike,
  options: DecodeInviteOptions = {},
): Result<Invite, InviteLinkError> {
  const fragment = location.hash;
  if (!fragment.startsWith(JOIN_PREFIX)) return err({ type: 'not-an-invite' });
  history.replaceState(history.state, '', `${location.pathname}${location.search}${JOIN_ROUTE}`);
  return decodeInviteLink(fragment, options);
}
