/**
 * What each document kind may hold (docs/protocol.md §15, U10–U29): root types, keys and value
 * shapes. Pure functions of a place and a value; `check-update.ts` walks the update.
 */
import { isCtcId, facilityOfCtcId, isFacilityCode } from '../../domain/ctc-id';
import type { CtcId, EntryKind } from '../../domain/types';
import {
  ctcIdOfDoc,
  docKind,
  facilityOfRegisterDoc,
  facilityOfReportDoc,
  type DocId,
  type DocKind,
} from '../doc-id';
import { entryProblem, isCalendarDate, isIsoDateTime } from '../entries';
import { accessRoot, isAccessRecord } from '../access-log';
import { isOpId, isOpText, membershipRoot } from '../membership-store';
import { isReportMonth, reportFiguresProblem, reportMonthsRoot } from './report-shape';
import type { Place } from './places';
import { RefusalReason, type UpdateRefusal } from './refusal';

type ValuePlace = Extract<Place, { type: 'value' }>;

export interface KindRules {
  kind: DocKind;
  /** A new value (any content) at `place`; `value` is undefined for a nested type. */
  check(place: ValuePlace, value: unknown, isType: boolean): UpdateRefusal | undefined;
  /** Whether a new value must equal the one in force (U12); 'forward' = a number that only grows. */
  writeOnce(place: ValuePlace): boolean | 'forward';
  /** Whether the value at a map key may be replaced (the old one deleted) by a new one (U6). */
  overwritable(place: ValuePlace): boolean;
}

const refuse = (reason: RefusalReason, detail: string): UpdateRefusal => ({ reason, detail });
const where = (p: ValuePlace) => [p.root, p.outer, p.key].filter((s) => s !== null).join('.');
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const shortString = (value: unknown, max = 200) => typeof value === 'string' && value.length <= max;
const oneOf = (values: readonly unknown[]) => (value: unknown) => values.includes(value);
const isSchema = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 1000;

type Check = (value: unknown) => boolean;

/** Demographic fields (types.ts `Demographics`); the four required ones are never null (U15). */
const demographicFields: Record<string, { check: Check; required?: true }> = {
  givenName: { check: (v) => shortString(v) && (v as string).trim() !== '', required: true },
  familyName: { check: (v) => shortString(v) && (v as string).trim() !== '', required: true },
  sex: { check: oneOf(['female', 'male']), required: true },
  birthDate: { check: isCalendarDate, required: true },
  birthDateEstimated: { check: (v) => typeof v === 'boolean' },
  phone: { check: (v) => shortString(v, 40) },
  region: { check: (v) => shortString(v) },
  district: { check: (v) => shortString(v) },
  ward: { check: (v) => shortString(v) },
  maritalStatus: {
    check: oneOf(['single', 'married', 'cohabiting', 'divorced_separated', 'widowed']),
  },
  preferredLanguage: { check: oneOf(['en', 'sw']) },
  supporterKind: { check: oneOf(['none', 'family', 'friend', 'partner', 'community_group']) },
  supporterName: { check: (v) => shortString(v) },
  supporterPhone: { check: (v) => shortString(v, 40) },
  hivTestDate: { check: isCalendarDate },
  artStartDate: { check: isCalendarDate },
  whoStage: { check: oneOf([1, 2, 3, 4]) },
};

const entryListKinds: Record<string, EntryKind> = {
  visits: 'visit',
  results: 'result',
  appointments: 'appointment',
  statusChanges: 'status',
  demographicsLog: 'demographics',
  tracing: 'tracing',
  alertAcks: 'alert_ack',
};

const statuses = ['active', 'transferred_out', 'died', 'stopped'];

/** Where a value sits must match the root's type: map keys in maps, elements in arrays (U4). */
function layoutProblem(
  place: ValuePlace,
  maps: readonly string[],
  arrays: readonly string[],
  nested: readonly string[] = [],
): UpdateRefusal | undefined {
  const isMap = maps.includes(place.root) || nested.includes(place.root);
  const isArray = arrays.includes(place.root);
  if (place.deep || (!isMap && !isArray)) {
    return refuse(RefusalReason.unknownKey, `no root type ${where(place)}`);
  }
  if (place.outer !== null && !nested.includes(place.root)) {
    return refuse(RefusalReason.unknownKey, `nested type in ${place.root}`);
  }
  if (isArray !== (place.key === null)) {
    return refuse(RefusalReason.unknownKey, `${where(place)} is not a ${isArray ? 'list' : 'map'}`);
  }
  return undefined;
}

function patientRules(docId: DocId): KindRules {
  const ctcId = ctcIdOfDoc(docId) as CtcId;
  const meta: Record<string, Check> = {
    schema: isSchema,
    kind: (v) => v === 'patient',
    ctcId: (v) => v === ctcId,
    primaryFacility: (v) => v === facilityOfCtcId(ctcId),
    registeredAt: isIsoDateTime,
  };
  return {
    kind: 'patient',
    check(place, value, isType) {
      const layout = layoutProblem(
        place,
        ['meta', 'demographics'],
        [...Object.keys(entryListKinds), accessRoot],
      );
      if (layout) return layout;
      if (isType) return refuse(RefusalReason.unknownKey, `nested type at ${where(place)}`);
      if (place.root === accessRoot) {
        return isAccessRecord(value) ? undefined : refuse(RefusalReason.invalidEntry, 'access');
      }
      const key = place.key as string;
      if (place.root === 'meta') {
        const check = meta[key];
        if (!check) return refuse(RefusalReason.unknownKey, `meta.${key}`);
        return check(value) ? undefined : refuse(RefusalReason.invalidEntry, `meta.${key}`);
      }
      if (place.root === 'demographics') {
        const field = demographicFields[key];
        if (!field) return refuse(RefusalReason.unknownKey, `demographics.${key}`);
        if (value === null && !field.required) return undefined;
        return field.check(value)
          ? undefined
          : refuse(RefusalReason.invalidEntry, `demographics.${key}`);
      }
      const problem = entryProblem(value, entryListKinds[place.root]!);
      return problem ? refuse(RefusalReason.invalidEntry, `${place.root}: ${problem}`) : undefined;
    },
    writeOnce: (place) =>
      place.root === 'meta' ? (place.key === 'schema' ? 'forward' : true) : false,
    overwritable: (place) => place.root === 'meta' || place.root === 'demographics',
  };
}

const summaryFields: Record<string, Check> = {
  ctcId: isCtcId,
  givenName: (v) => shortString(v) && (v as string).trim() !== '',
  familyName: (v) => shortString(v) && (v as string).trim() !== '',
  sex: oneOf(['female', 'male']),
  birthYear: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1900 && v <= 9999,
  status: oneOf(statuses),
  registeredAt: isIsoDateTime,
  lastVisitDate: isCalendarDate,
  lastVisitFacility: isFacilityCode,
};

function registerRules(docId: DocId): KindRules {
  const facility = facilityOfRegisterDoc(docId) as string;
  const meta: Record<string, Check> = {
    schema: isSchema,
    kind: (v) => v === 'register',
    facilityCode: (v) => v === facility,
  };
  return {
    kind: 'register',
    check(place, value, isType) {
      const layout = layoutProblem(place, ['meta'], [], ['patients']);
      if (layout) return layout;
      const key = place.key as string;
      if (place.root === 'meta') {
        if (isType) return refuse(RefusalReason.unknownKey, `nested type at meta.${key}`);
        const check = meta[key];
        if (!check) return refuse(RefusalReason.unknownKey, `meta.${key}`);
        return check(value) ? undefined : refuse(RefusalReason.invalidEntry, `meta.${key}`);
      }
      const summaryId = place.outer ?? key;
      if (!isCtcId(summaryId)) return refuse(RefusalReason.unknownKey, `patients.${summaryId}`);
      if (facilityOfCtcId(summaryId) !== facility) {
        return refuse(RefusalReason.foreignSummary, `${summaryId} in the register of ${facility}`);
      }
      if (place.outer === null) {
        // A summary is a nested map, so two devices changing different fields both keep theirs.
        return isType ? undefined : refuse(RefusalReason.invalidEntry, `patients.${key}`);
      }
      if (isType) return refuse(RefusalReason.unknownKey, `nested type in ${summaryId}`);
      const check = summaryFields[key];
      if (!check) return refuse(RefusalReason.unknownKey, `patients.${summaryId}.${key}`);
      if (key === 'ctcId' && value !== summaryId) {
        return refuse(RefusalReason.invalidEntry, `patients.${summaryId}.ctcId`);
      }
      return check(value)
        ? undefined
        : refuse(RefusalReason.invalidEntry, `patients.${summaryId}.${key}`);
    },
    writeOnce: (place) =>
      place.root === 'meta' ? (place.key === 'schema' ? 'forward' : true) : false,
    overwritable: () => true,
  };
}

const recordShapes: Record<string, (key: string, value: unknown) => boolean> = {
  facilities: (key, v) =>
    isRecord(v) &&
    isFacilityCode(key) &&
    v.code === key &&
    shortString(v.name) &&
    shortString(v.district) &&
    shortString(v.region),
  devices: (key, v) =>
    isRecord(v) &&
    /^[\x21-\x7e]{1,64}$/.test(key) &&
    v.deviceId === key &&
    isFacilityCode(v.facilityCode) &&
    typeof v.slot === 'number' &&
    Number.isInteger(v.slot) &&
    v.slot >= 1 &&
    v.slot <= 99 &&
    isIsoDateTime(v.addedAt),
  users: (key, v) =>
    isRecord(v) &&
    key.length >= 1 &&
    key.length <= 64 &&
    v.id === key &&
    shortString(v.name) &&
    typeof v.role === 'string' &&
    ['clinician', 'pharmacist', 'lab', 'data_clerk', 'supervisor'].includes(v.role) &&
    isFacilityCode(v.facilityCode),
};

function networkRules(): KindRules {
  const meta: Record<string, Check> = { schema: isSchema, kind: (v) => v === 'network' };
  return {
    kind: 'network',
    check(place, value, isType) {
      if (place.root === 'settings') {
        return refuse(RefusalReason.settings, `settings.${place.key ?? ''}`);
      }
      const layout = layoutProblem(
        place,
        ['meta', 'facilities', 'devices', 'users', membershipRoot],
        [],
      );
      if (layout) return layout;
      const key = place.key as string;
      if (isType) return refuse(RefusalReason.unknownKey, `nested type at ${where(place)}`);
      if (place.root === membershipRoot) {
        // MS2: the op's id and text; whether it verifies is checked after (MS3, remote-check.ts).
        return isOpId(key) && isOpText(value)
          ? undefined
          : refuse(RefusalReason.membership, `membership.${key.slice(0, 64)}`);
      }
      if (place.root === 'meta') {
        const check = meta[key];
        if (!check) return refuse(RefusalReason.unknownKey, `meta.${key}`);
        return check(value) ? undefined : refuse(RefusalReason.invalidEntry, `meta.${key}`);
      }
      return recordShapes[place.root]!(key, value)
        ? undefined
        : refuse(RefusalReason.invalidEntry, `${place.root}.${key}`);
    },
    writeOnce: (place) => (place.root === 'meta' && place.key === 'schema' ? 'forward' : true),
    overwritable: (place) => place.root !== 'settings',
  };
}

/**
 * RP2–RP4 (decision 0026): a report document holds its meta and one value of counts per month;
 * no nested type, no list, so nothing in it can carry a patient's identifier.
 */
function reportRules(docId: DocId): KindRules {
  const facility = facilityOfReportDoc(docId) as string;
  const meta: Record<string, Check> = {
    schema: isSchema,
    kind: (v) => v === 'report',
    facilityCode: (v) => v === facility,
  };
  return {
    kind: 'report',
    check(place, value, isType) {
      const layout = layoutProblem(place, ['meta', reportMonthsRoot], []);
      if (layout) return layout;
      const key = place.key as string;
      if (isType) return refuse(RefusalReason.unknownKey, `nested type at ${where(place)}`);
      if (place.root === 'meta') {
        const check = meta[key];
        if (!check) return refuse(RefusalReason.unknownKey, `meta.${key}`);
        return check(value) ? undefined : refuse(RefusalReason.invalidEntry, `meta.${key}`);
      }
      if (!isReportMonth(key))
        return refuse(RefusalReason.unknownKey, `months.${key.slice(0, 16)}`);
      const problem = reportFiguresProblem(value, key);
      return problem ? refuse(RefusalReason.reportFigures, `months.${key}: ${problem}`) : undefined;
    },
    writeOnce: (place) =>
      place.root === 'meta' ? (place.key === 'schema' ? 'forward' : true) : false,
    // A month is recomputed and replaced whole; meta is write-once (an equal rewrite only).
    overwritable: () => true,
  };
}

export function rulesFor(docId: DocId): KindRules {
  switch (docKind(docId)) {
    case 'report':
      return reportRules(docId);
    case 'patient':
      return patientRules(docId);
    case 'register':
      return registerRules(docId);
    case 'network':
      return networkRules();
  }
}

/** Values compared by content, key order aside: an identical rewrite is no change (U12). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameValue(item, b[i]))
    );
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameValue(a[key], b[key]))
  );
}
