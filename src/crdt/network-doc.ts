/**
 * The network document (design.md §2): facilities, devices, users and shared settings.
 *   meta        Y.Map  schema, kind
 *   facilities  Y.Map<code, Facility>
 *   devices     Y.Map<deviceId, DeviceRecord>
 *   users       Y.Map<userId, User>
 *   settings    Y.Map  graceDays, ltfuDays
 * Values are small immutable objects replaced whole: a facility's details change rarely and
 * together. Device keys and admin signatures arrive with enrolment (a later issue).
 */
import type * as Y from 'yjs';
import type {
  DeviceId,
  Facility,
  FacilityCode,
  FollowUpPolicy,
  IsoDateTime,
  User,
} from '../domain/types';
import { defaultFollowUpPolicy } from '../domain/types';
import { currentSchemaVersion } from './schema';

export interface DeviceRecord {
  deviceId: DeviceId;
  facilityCode: FacilityCode;
  /** Serial block of this device at its facility (docs/decisions/0004-ctc-id-allocation.md). */
  slot: number;
  addedAt: IsoDateTime;
}

export function initNetworkDoc(doc: Y.Doc): void {
  const meta = doc.getMap('meta');
  if (meta.get('schema') === undefined) meta.set('schema', currentSchemaVersion);
  meta.set('kind', 'network');
}

export function putFacility(doc: Y.Doc, facility: Facility): void {
  doc.getMap('facilities').set(facility.code, { ...facility });
}

export function putDevice(doc: Y.Doc, device: DeviceRecord): void {
  doc.getMap('devices').set(device.deviceId, { ...device });
}

export function putUser(doc: Y.Doc, user: User): void {
  doc.getMap('users').set(user.id, { ...user });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

export function readFacilities(doc: Y.Doc): Facility[] {
  const out: Facility[] = [];
  doc.getMap<unknown>('facilities').forEach((value, code) => {
    if (
      isRecord(value) &&
      value.code === code &&
      typeof value.name === 'string' &&
      typeof value.district === 'string' &&
      typeof value.region === 'string'
    ) {
      out.push(value as unknown as Facility);
    }
  });
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function readFollowUpPolicy(doc: Y.Doc): FollowUpPolicy {
  const settings = doc.getMap<unknown>('settings');
  const grace = settings.get('graceDays');
  const ltfu = settings.get('ltfuDays');
  return {
    graceDays: typeof grace === 'number' && grace >= 0 ? grace : defaultFollowUpPolicy.graceDays,
    ltfuDays: typeof ltfu === 'number' && ltfu > 0 ? ltfu : defaultFollowUpPolicy.ltfuDays,
  };
}
