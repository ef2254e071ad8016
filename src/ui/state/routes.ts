/**
 * Hash routes. The hash keeps every screen reachable offline from the precached `index.html`
 * and lets a reload land on the same screen.
 */
import type { CtcId, EntryId } from '../../domain/types';

export type EntryFormName = 'visit' | 'result' | 'appointment';

export type Route =
  | { name: 'home' }
  | { name: 'register' }
  | { name: 'clinic' }
  | { name: 'settings' }
  | { name: 'network' }
  /** The district overview: every facility a supervisor oversees, read only. */
  | { name: 'district' }
  /** Join a network with an invite (opened as `#/join/<payload>`, whose secret main.ts removed). */
  | { name: 'join' }
  | { name: 'patient'; ctcId: CtcId }
  | { name: EntryFormName; ctcId: CtcId; supersedes?: EntryId }
  | { name: 'edit'; ctcId: CtcId }
  | { name: 'status'; ctcId: CtcId }
  | { name: 'not-found' };

const ctcIdPattern = /^\d{14}$/;

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
  if (first !== 'patient' || second === undefined || !ctcIdPattern.test(second) || rest.length > 0)
    return { name: 'not-found' };
  const ctcId = second as CtcId;
  if (third === undefined) return { name: 'patient', ctcId };
  if (third === 'visit' || third === 'result' || third === 'appointment')
    return fourth === undefined
      ? { name: third, ctcId }
      : { name: third, ctcId, supersedes: fourth as EntryId };
  if ((third === 'edit' || third === 'status') && fourth === undefined)
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
    case 'district':
    case 'join':
      return `#/${route.name}`;
    case 'patient':
      return `#/patient/${route.ctcId}`;
    case 'edit':
    case 'status':
      return `#/patient/${route.ctcId}/${route.name}`;
    case 'visit':
    case 'result':
    case 'appointment':
      return route.supersedes
        ? `#/patient/${route.ctcId}/${route.name}/${encodeURIComponent(route.supersedes)}`
        : `#/patient/${route.ctcId}/${route.name}`;
  }
}
