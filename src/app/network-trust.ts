/**
 * The network actions of the trust layer as the screens call them (protocol.md §22, MS7–MS18):
 * start a network, invite a device, join with an invite, list and revoke devices, and give or
 * take back admin rights. Each checks what a clinician could get wrong (a form), and leaves what
 * peers must enforce to the membership history they all fold.
 */
import { networkDocId } from '../crdt/doc-id';
import { putFacility, readFacilities } from '../crdt/network-doc';
import type { DocumentRepository } from '../crdt/repository';
import {
  consumeInviteFromLocation,
  decodeInviteLink,
  encodeInviteLink,
  type HistoryLike,
  type Invite,
  type InviteGrant,
  type LocationLike,
} from '../crdt/trust/invite-link';
import { inviteKeyFromSecret, newInviteSecret } from '../crdt/trust/invite';
import { toB64url } from '../crdt/trust/encoding';
import type { Grant } from '../crdt/trust/membership-op';
import type { AdminScope, Member } from '../crdt/trust/types';
import { validateFacility } from '../domain/schemas/facility';
import { fieldIssue } from '../domain/schemas/issues';
import type { FieldIssue, IsoDateTime } from '../domain/types';
import type { Clock } from '../lib/deps';
import { err, ok, type Result } from '../lib/result';
import type { TrustService } from './trust-service';
import type {
  AdminScopeKind,
  CreatedInvite,
  CreateNetworkInput,
  DeviceProfile,
  InviteInput,
  InviteProblem,
  InviteSummary,
  MemberView,
  NetworkSettings,
  NetworkSettingsInput,
  SaveResult,
  TrustProblem,
  TrustView,
} from './views';
import { supervisorFacilityCode } from './views';

export interface NetworkTrustDeps {
  trust: TrustService;
  repo: DocumentRepository;
  clock: Clock;
  profile(): DeviceProfile | undefined;
  settings(): NetworkSettings | undefined;
  saveSettings(input: NetworkSettingsInput): Promise<SaveResult<NetworkSettings>>;
  /** The app's own address, which invite links point to. */
  appUrl(): string;
}

/** Invites last a week unless the admin says otherwise; at most 90 days (MS12). */
export const defaultInviteDays = 7;
const maxInviteDays = 90;
const maxInviteUses = 50;
const dayMs = 24 * 60 * 60 * 1000;

const refused = (code: TrustProblem) => err({ type: 'refused' as const, code });
const iso = (ms: number) => new Date(ms).toISOString() as IsoDateTime;

/** A network secret nobody types: 32 random bytes, base64url (it keys signaling, I11). */
function newSignalingSecret(): string {
  return toB64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** A whole number in [min, max] typed in a form, or the issue to show. */
function numberIssue(
  field: string,
  text: string,
  min: number,
  max: number,
): FieldIssue | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return fieldIssue(field, 'required');
  if (!/^\d{1,4}$/.test(trimmed)) return fieldIssue(field, 'not_integer');
  const n = Number(trimmed);
  if (n < min) return fieldIssue(field, 'min_value', { min });
  if (n > max) return fieldIssue(field, 'max_value', { max });
  return undefined;
}

/**
 * I10: the invite the app was opened with, taken out of the address bar and history at once
 * (the join screen reads it from memory), or undefined when the app was opened without one.
 */
export function takeOpenedInvite(location: LocationLike, history: HistoryLike): string | undefined {
  const fragment = location.hash;
  const taken = consumeInviteFromLocation(location, history);
  return taken.ok || taken.error.type !== 'not-an-invite' ? fragment : undefined;
}

export function createNetworkTrust(deps: NetworkTrustDeps) {
  const { trust, repo, clock } = deps;

  async function facilityNames(): Promise<Map<string, string>> {
    const network = await repo.get(networkDocId);
    return new Map(readFacilities(network).map((f) => [f.code, f.name]));
  }
  let names = new Map<string, string>();
  const refreshNames = () =>
    facilityNames().then((next) => {
      names = next;
    });
  void refreshNames();
  trust.onChange(() => void refreshNames());

  function view(): TrustView {
    const state = trust.state();
    if (state.kind !== 'member') return state;
    const admin = trust.history()?.isAdmin(trust.key.deviceId) !== undefined;
    return { kind: 'member', networkName: state.networkName, admin, role: state.member.role };
  }

  function members(): MemberView[] {
    const history = trust.history();
    if (!history) return [];
    return [...history.members().values()]
      .map((m) => {
        const scope = history.isAdmin(m.deviceId);
        const member: MemberView = {
          deviceId: m.deviceId,
          role: m.role,
          admin: scope !== undefined,
          revoked: history.isRevoked(m.deviceId),
          self: m.deviceId === trust.key.deviceId,
        };
        if (scope) member.adminScope = { ...scope };
        if (m.facilityCode) {
          member.facilityCode = m.facilityCode;
          const name = names.get(m.facilityCode);
          if (name) member.facilityName = name;
        }
        if (m.slot !== undefined) member.slot = m.slot;
        return member;
      })
      .sort(
        (a, b) =>
          (a.facilityCode ?? '~').localeCompare(b.facilityCode ?? '~') ||
          (a.slot ?? 0) - (b.slot ?? 0) ||
          a.deviceId.localeCompare(b.deviceId),
      );
  }

  /** Serial blocks of a facility held by a device or promised by an invite still open. */
  function slotsTaken(facilityCode: string): Set<number> {
    const used = new Set(
      members()
        .filter((m) => m.facilityCode === facilityCode && m.slot !== undefined)
        .map((m) => m.slot as number),
    );
    const history = trust.history();
    for (const op of history?.all() ?? []) {
      const action = op.body.action;
      if (action.type !== 'invite' || action.grant.facilityCode !== facilityCode) continue;
      const open = (history?.inviteUsesLeft(action.inviteId) ?? 0) > 0;
      if (open && action.expiresAt > clock.now() && action.grant.slot !== undefined) {
        used.add(action.grant.slot);
      }
    }
    return used;
  }

  function nextFreeSlot(facilityCode: string): number {
    const used = slotsTaken(facilityCode);
    let slot = 1;
    while (used.has(slot) && slot < 99) slot += 1;
    return slot;
  }

  function readInvite(link: string): Result<Invite, InviteProblem> {
    const decoded = decodeInviteLink(link, { clock });
    return decoded.ok ? decoded : err(decoded.error.type);
  }

  function summaryOf(invite: Invite): InviteSummary {
    const summary: InviteSummary = {
      networkName: invite.network.networkName,
      role: invite.grant.role,
      expiresAt: iso(invite.expiresAt),
    };
    if (invite.grant.facilityCode) summary.facilityCode = invite.grant.facilityCode;
    if (invite.grant.slot !== undefined) summary.slot = invite.grant.slot;
    if (invite.facilityName) summary.facilityName = invite.facilityName;
    if (invite.facilityDistrict) summary.district = invite.facilityDistrict;
    // A district supervisor's scope is what its join screen names.
    const scope = invite.grant.readScope;
    if (scope?.kind === 'district') summary.district = scope.district;
    if (invite.facilityRegion) summary.region = invite.facilityRegion;
    return summary;
  }

  async function createNetwork(input: CreateNetworkInput): Promise<SaveResult<NetworkSettings>> {
    const profile = deps.profile();
    if (!profile) return refused('not-set-up');
    if (trust.state().kind !== 'none') return refused('already-in-network');
    // Validate the servers first: a network is created only when it can be used.
    const settings = { ...input, secret: newSignalingSecret(), relay: false };
    const checked = await deps.saveSettings(settings);
    if (!checked.ok) return checked;
    const grant: Grant = {
      role: 'clinician',
      facilityCode: profile.facility.code,
      slot: profile.deviceSlot,
    };
    await trust.createNetwork(checked.value.networkName, grant);
    return checked;
  }

  async function joinWithInvite(link: string): Promise<SaveResult<NetworkSettings>> {
    const profile = deps.profile();
    if (!profile) return refused('not-set-up');
    if (trust.state().kind === 'member') return refused('already-in-network');
    const read = readInvite(link);
    if (!read.ok) return refused(read.error === 'expired' ? 'invite-expired' : 'invite-unreadable');
    const invite = read.value;
    const { grant } = invite;
    // MS15: a supervisor invite is for a supervisor's profile, a device invite for a device's.
    const supervisorProfile = profile.facility.code === supervisorFacilityCode;
    if ((grant.role === 'supervisor') !== supervisorProfile) return refused('invite-other-role');
    if (
      grant.role === 'clinician' &&
      (grant.facilityCode !== profile.facility.code || grant.slot !== profile.deviceSlot)
    ) {
      return refused('invite-other-facility');
    }
    const saved = await deps.saveSettings({
      networkName: invite.network.networkName,
      secret: invite.network.signalingSecret,
      signalingUrls: invite.network.signalingUrls.join(' '),
      iceUrls: '',
      iceUsername: '',
      iceCredential: '',
      relay: grant.role === 'relay',
    });
    if (!saved.ok) return saved;
    await trust.join(invite);
    return saved;
  }

  function inviteIssues(input: InviteInput): FieldIssue[] {
    return [
      numberIssue('validDays', input.validDays, 1, maxInviteDays),
      numberIssue('uses', input.uses, 1, maxInviteUses),
      input.role === 'clinician' ? numberIssue('deviceSlot', input.deviceSlot, 1, 99) : undefined,
    ].filter((issue): issue is FieldIssue => issue !== undefined);
  }

  async function createInvite(input: InviteInput): Promise<SaveResult<CreatedInvite>> {
    const history = trust.history();
    const settings = deps.settings();
    if (!history || !settings) return refused('not-a-member');
    const current = view();
    if (current.kind !== 'member' || !current.admin) return refused('not-admin');
    const issues = inviteIssues(input);
    const facility =
      input.role === 'clinician'
        ? validateFacility({
            name: input.facilityName,
            code: input.facilityCode,
            district: input.district,
            region: input.region,
          })
        : undefined;
    if (facility && !facility.ok) {
      const rename: Record<string, string> = { name: 'facilityName', code: 'facilityCode' };
      issues.push(...facility.error.map((i) => ({ ...i, field: rename[i.field] ?? i.field })));
    }
    if (issues.length > 0) return err({ type: 'invalid', issues });
    const district = input.scopeDistrict.trim().replace(/\s+/g, ' ').slice(0, 64);
    const grant: InviteGrant = facility?.ok
      ? {
          role: 'clinician',
          facilityCode: facility.value.code,
          slot: Number(input.deviceSlot.trim()),
        }
      : input.role === 'supervisor'
        ? {
            role: 'supervisor',
            readScope: district ? { kind: 'district', district } : { kind: 'network' },
          }
        : { role: 'relay' };
    const expiresAt = clock.now() + Number(input.validDays.trim()) * dayMs;
    const secret = newInviteSecret();
    const inviteKey = await inviteKeyFromSecret(secret);
    if (facility?.ok && !names.has(facility.value.code)) {
      // U26: the newcomer's register is accepted by peers only once the network lists it.
      await repo.write(networkDocId, (doc) => putFacility(doc, facility.value));
      await refreshNames();
    }
    const op = await trust.author({
      type: 'invite',
      inviteId: inviteKey.inviteId,
      invitePublicKey: inviteKey.publicKey,
      grant,
      expiresAt,
      uses: Number(input.uses.trim()),
    });
    if (!op.ok) return refused('not-admin');
    const root = history.genesis.body.signer;
    const invite: Invite = {
      version: 1,
      network: {
        networkId: history.networkId,
        networkName: history.networkName,
        rootPublicKey: root.publicKey,
        rootAlgorithm: root.algorithm,
        signalingSecret: settings.secret,
        signalingUrls: settings.signalingUrls,
      },
      inviteOpId: op.value.id,
      secret,
      grant,
      expiresAt,
      ...(facility?.ok
        ? {
            facilityName: facility.value.name,
            facilityDistrict: facility.value.district,
            facilityRegion: facility.value.region,
          }
        : {}),
    };
    const link = encodeInviteLink(invite, deps.appUrl());
    // The QR encoder is fetched only when an invite is made: it is no part of the first screen.
    const { inviteQrSvg } = await import('./invite-qr');
    return ok({ link, qrSvg: await inviteQrSvg(link), expiresAt: iso(expiresAt) });
  }

  async function revoke(deviceId: string): Promise<SaveResult<void>> {
    const current = view();
    if (current.kind !== 'member' || !current.admin) return refused('not-admin');
    const target = trust.history()?.lookup(deviceId);
    if (!target) return refused('not-a-member');
    const op = await trust.author({ type: 'revoke', deviceId: target.deviceId });
    return op.ok ? ok(undefined) : refused('not-admin');
  }

  /**
   * An admin op is signed and kept even when the fold gives it no effect (a district admin
   * reaching outside its district): the admin is told it did not work rather than "done".
   */
  function tookEffect(op: Result<{ id: string }, unknown>): boolean {
    return op.ok && trust.history()?.tookEffect(op.value.id) === true;
  }

  /** The enrolled, not removed device `deviceId`, or why the admin action cannot name it. */
  function adminTarget(deviceId: string): Result<Member, TrustProblem> {
    const current = view();
    if (current.kind !== 'member' || !current.admin) return err('not-admin');
    const history = trust.history();
    const target = history?.lookup(deviceId);
    if (!history || !target) return err('unknown-device');
    if (history.isRevoked(target.deviceId)) return err('device-removed');
    return ok(target);
  }

  /** The district a device works in: its facility's (network document), or a supervisor's scope. */
  async function districtOf(member: Member): Promise<string | undefined> {
    if (member.readScope?.kind === 'district') return member.readScope.district;
    if (!member.facilityCode) return undefined;
    const network = await repo.get(networkDocId);
    return readFacilities(network).find((f) => f.code === member.facilityCode)?.district;
  }

  /** MS18: makes `deviceId` an admin of the whole network or of its own district. */
  async function grantAdmin(deviceId: string, scope: AdminScopeKind): Promise<SaveResult<void>> {
    const target = adminTarget(deviceId);
    if (!target.ok) return refused(target.error);
    if (trust.history()?.isAdmin(target.value.deviceId)) return refused('already-admin');
    const own = trust.history()?.isAdmin(trust.key.deviceId);
    if (scope === 'network' && own?.kind !== 'network') return refused('not-admin');
    let adminScope: AdminScope = { kind: 'network' };
    if (scope === 'district') {
      const district = await districtOf(target.value);
      if (!district) return refused('no-district');
      adminScope = { kind: 'district', district };
    }
    const op = await trust.author({
      type: 'grant-admin',
      deviceId: target.value.deviceId,
      scope: adminScope,
    });
    return tookEffect(op) ? ok(undefined) : refused('not-admin');
  }

  /** MS18: takes back a device's admin rights (the fold lets only a network admin do so). */
  async function withdrawAdmin(deviceId: string): Promise<SaveResult<void>> {
    const target = adminTarget(deviceId);
    if (!target.ok) return refused(target.error);
    if (!trust.history()?.isAdmin(target.value.deviceId)) return refused('not-an-admin');
    // MB13: only a network admin withdraws rights; a district admin's op would be ignored.
    if (trust.history()?.isAdmin(trust.key.deviceId)?.kind !== 'network') {
      return refused('not-admin');
    }
    const op = await trust.author({ type: 'withdraw-admin', deviceId: target.value.deviceId });
    return tookEffect(op) ? ok(undefined) : refused('not-admin');
  }

  return {
    view,
    members,
    nextFreeSlot,
    createNetwork,
    joinWithInvite,
    createInvite,
    revoke,
    grantAdmin,
    withdrawAdmin,
    readInvite(link: string): Result<InviteSummary, InviteProblem> {
      const read = readInvite(link);
      return read.ok ? ok(summaryOf(read.value)) : read;
    },
  };
}

export type NetworkTrust = ReturnType<typeof createNetworkTrust>;
