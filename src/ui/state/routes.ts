/**
 * Hash routes. The hash keeps every screen reachable offline from the precached `index.html`
 * and lets a reload land on the same screen.
 */
import { followUpStates, type FollowUpState } from '../../app/care-views';
import type { CtcId, EntryId, FacilityCode } from '../../domain/types';

export type EntryFormName = 'visit' | 'result' | 'appointment';

export type Route =
  | { name: 'home' }
  | { name: 'register' }
  | { name: 'clinic' }
  | { name: 'settings' }
  | { name: 'network' }
  /**
   * The district report: every facility a supervisor oversees, read only (`#/district`); with a
   * facility code, that facility's register (`#/district/<code>`).
   */
  | { name: 'district'; facility?: FacilityCode }
  /** The monthly facility report (`#/report`, `#/report/<YYYY-MM>`). */
  | { name: 'report'; month?: string }
  /** Join a network with an invite (opened as `#/join/<payload>`, whose secret main.ts removed). */
  | { name: 'join' }
  | { name: 'patient'; ctcId: CtcId }
  | { name: EntryFormName; ctcId: CtcId; supersedes?: EntryId }
  | { name: 'edit'; ctcId: CtcId }
  | { name: 'status'; ctcId: CtcId }
  /** Issue 10: the follow-up lists, on one list (expected today when none is named). */
  | { name: 'follow-up'; list?: FollowUpState }
  | { name: 'tracing'; ctcId: CtcId }
  | { name: 'not-found' };

const ctcIdPattern = /^\d{14}$/;
const facilityPattern = /^\d{8}$/;
const monthPattern = /^20\d\d-(0[1-9]|1[0-2])$/;

export function parseHash(hash: string): Route {
  const parts = hash
    .replace(/^#?\/?/, '')
    .split('/')
    .filter((part) => part.length > 0)
    .map((part) => decodeURIComponent(part));
  const [first, second, third, fourth, ...rest] = parts;
  if (first === undefined) return { name: 'home' };
  if (
    parts.length === 1 &&
    (first === 'register' ||
      first === 'clinic' ||
      first === 'settings' ||
      first === 'network' ||
      first === 'district' ||
      first === 'join')
  )
    return { name: first };
  if (first === 'report' && third === undefined) {
    if (second === undefined) return { name: 'report' };
    return monthPattern.test(second) ? { name: 'report', month: second } : { name: 'not-found' };
  }
  if (first === 'district' && second !== undefined && third === undefined) {
    return facilityPattern.test(second)
      ? { name: 'district', facility: second as FacilityCode }
      : { name: 'not-found' };
  }
  if (first === 'follow-up' && third === undefined) {
    if (second === undefined) return { name: 'follow-up' };
    const list = followUpStates.find((state) => state === second);
    return list ? { name: 'follow-up', list } : { name: 'not-found' };
  }
  if (first !== 'patient' || second === undefined || !ctcIdPattern.test(second) || rest.length > 0)
    return { name: 'not-found' };
  const ctcId = second as CtcId;
  if (third === undefined) return { name: 'patient', ctcId };
  if (third === 'visit' || third === 'result' || third === 'appointment')
    return fourth === undefined
      ? { name: third, ctcId }
      : { name: third, ctcId, supersedes: fourth as EntryId };
  if ((third === 'edit' || third === 'status' || third === 'tracing') && fourth === undefined)
    return { name: third, ctcId };
  return { name: 'not-found' };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'home':
    case 'not-found':
      return '#/';
    case 'register':
    case 'clinic':
    case 'settings':
    case 'network':
    case 'join':
      return `#/${route.name}`;
    case 'district':
      return route.facility ? `#/district/${route.facility}` : '#/district';
    case 'report':
      return route.month ? `#/report/${route.month}` : '#/report';
    case 'patient':
      return `#/patient/${route.ctcId}`;
    case 'follow-up':
      return route.list ? `#/follow-up/${route.list}` : '#/follow-up';
    case 'edit':
    case 'status':
    case 'tracing':
      return `#/patient/${route.ctcId}/${route.name}`;
    case 'visit':
    case 'result':
    case 'appointment':
      return route.supersedes
        ? `#/patient/${route.ctcId}/${route.name}/${encodeURIComponent(route.supersedes)}`
        : `#/patient/${route.ctcId}/${route.name}`;
  }
}
