/**
 * The trust screens' words and form plumbing, kept out of the components so they can be tested
 * in Node: which sentence a trust problem or an invite problem gets, what an invite says, and the
 * raw inputs the network service is given from form values.
 */
import type {
  CreateNetworkInput,
  InviteInput,
  InviteProblem,
  InviteSummary,
  MemberView,
  NetworkSettings,
  NetworkSettingsInput,
  SaveError,
  SaveResult,
  TrustProblem,
} from '../../app/views';
import { err, type Result } from '../../lib/result';
import { formatDateTime } from '../format';
import type { FormValues } from '../forms/values';
import type { MessageKey, Translate } from '../i18n/keys';

/** A kind sentence for every refusal of a network action (the UI never shows the code). */
export function trustProblemText(code: TrustProblem, t: Translate): string {
  return t(`trust.problem.${code}` as MessageKey);
}

/** Expired invites get their own words; anything else is "cannot be read". */
export function inviteProblemText(problem: InviteProblem, t: Translate): string {
  return t(
    problem === 'expired' ? 'trust.inviteProblem.expired' : 'trust.inviteProblem.unreadable',
  );
}

/** What an invite lets this device become, in one sentence. */
export function inviteSummaryText(summary: InviteSummary, t: Translate): string {
  const network = summary.networkName;
  if (summary.role === 'clinician') {
    return t('trust.inviteCard.clinician', {
      network,
      facility: summary.facilityName ?? summary.facilityCode ?? '',
      slot: summary.slot ?? '',
    });
  }
  return t(summary.role === 'relay' ? 'trust.inviteCard.relay' : 'trust.inviteCard.supervisor', {
    network,
  });
}

export function inviteExpiryText(summary: { expiresAt: string }, t: Translate): string {
  return t('trust.inviteCard.expires', { date: formatDateTime(summary.expiresAt) });
}

/**
 * The setup values a clinician invite fills in (and locks): the facility and the serial block
 * the admin chose, so nobody types a device number. Other invites fill nothing.
 */
export function setupValuesFromInvite(summary: InviteSummary): Record<string, string> {
  if (summary.role !== 'clinician') return {};
  const values: Record<string, string> = {};
  if (summary.facilityName) values.facilityName = summary.facilityName;
  if (summary.facilityCode) values.facilityCode = summary.facilityCode;
  if (summary.region) values.region = summary.region;
  if (summary.district) values.district = summary.district;
  if (summary.slot !== undefined) values.deviceSlot = String(summary.slot);
  return values;
}

const text = (values: FormValues, name: string): string => {
  const value = values[name];
  return typeof value === 'string' ? value : '';
};

export function createNetworkValues(defaultSignalingUrls: readonly string[]): FormValues {
  return {
    networkName: '',
    signalingUrls: defaultSignalingUrls.join(' '),
    iceUrls: '',
    iceUsername: '',
    iceCredential: '',
  };
}

export function createNetworkInput(values: FormValues): CreateNetworkInput {
  return {
    networkName: text(values, 'networkName'),
    signalingUrls: text(values, 'signalingUrls'),
    iceUrls: text(values, 'iceUrls'),
    iceUsername: text(values, 'iceUsername'),
    iceCredential: text(values, 'iceCredential'),
  };
}

export const defaultInviteValues: FormValues = {
  role: 'clinician',
  facilityCode: '',
  facilityName: '',
  district: '',
  region: '',
  deviceSlot: '',
  scopeDistrict: '',
  validDays: '7',
  uses: '1',
};

const inviteRoles: readonly InviteInput['role'][] = ['clinician', 'relay', 'supervisor'];

export function inviteInput(values: FormValues): InviteInput {
  return {
    role: inviteRoles.find((role) => role === text(values, 'role')) ?? 'clinician',
    facilityCode: text(values, 'facilityCode'),
    facilityName: text(values, 'facilityName'),
    district: text(values, 'district'),
    region: text(values, 'region'),
    deviceSlot: text(values, 'deviceSlot'),
    scopeDistrict: text(values, 'scopeDistrict'),
    validDays: text(values, 'validDays'),
    uses: text(values, 'uses'),
  };
}

/** A facility code as setup checks it: 8 digits (region, district, facility). */
export const looksLikeFacilityCode = (code: string): boolean => /^\d{8}$/.test(code.trim());

/**
 * In a trusted network the name and the secret come from the network, not from a form: the
 * servers and the relay switch are all a device still edits.
 */
export function settingsKeepingNetwork(
  edited: NetworkSettingsInput,
  current: NetworkSettings | undefined,
): NetworkSettingsInput {
  return {
    ...edited,
    networkName: current?.networkName ?? edited.networkName,
    secret: current?.secret ?? edited.secret,
  };
}

export type MemberTag = 'self' | 'admin' | 'revoked';

export function memberTags(member: MemberView): MemberTag[] {
  const tags: MemberTag[] = [];
  if (member.self) tags.push('self');
  if (member.admin) tags.push('admin');
  if (member.revoked) tags.push('revoked');
  return tags;
}

/** An admin may remove any device but itself, once. */
export const canRevoke = (member: MemberView, viewerIsAdmin: boolean): boolean =>
  viewerIsAdmin && !member.self && !member.revoked;

/** Why joining did not work, in words: a refusal by its code, anything else in general words. */
export function joinProblemText(error: SaveError | undefined, t: Translate): string {
  if (error?.type === 'refused') return trustProblemText(error.code, t);
  if (error?.type === 'storage') return t(`banners.storage.${error.code}`);
  return t('trust.join.failed');
}

/** Joins, turning a throw into a result so the screen always has something to say. */
export async function tryJoin(
  join: () => Promise<SaveResult<NetworkSettings>>,
): Promise<Result<NetworkSettings, SaveError | undefined>> {
  try {
    return await join();
  } catch (error) {
    console.error('Joining the network failed unexpectedly', error);
    return err(undefined);
  }
}
