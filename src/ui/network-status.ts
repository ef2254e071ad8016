/**
 * How the network's state is put in front of a person: the header chip's one word, and the
 * order of the facility and device lists (what is reachable now comes first).
 */
import type { ClockWarning, FacilityView, NetworkView, PeerView, RefusalView } from '../app/views';
import type { MessageKey, Translate } from './i18n/keys';

export type ChipState = 'online' | 'offline' | 'paused' | 'not-joined';

export function chipState(view: NetworkView): ChipState {
  if (!view.joined) return 'not-joined';
  if (!view.syncEnabled) return 'paused';
  return view.peerConnections > 0 || view.signaling === 'connected' ? 'online' : 'offline';
}

const facilityLabel = (facility: FacilityView) => facility.name ?? facility.code;

/** Online facilities first, then by name; the input is left as it was. */
export function onlineFirst(facilities: readonly FacilityView[]): FacilityView[] {
  return [...facilities].sort(
    (a, b) =>
      Number(b.connected) - Number(a.connected) || facilityLabel(a).localeCompare(facilityLabel(b)),
  );
}

/** Connected devices first, then the most recently heard; never heard last. */
export function peersInOrder(peers: readonly PeerView[]): PeerView[] {
  return [...peers].sort(
    (a, b) =>
      Number(b.connected) - Number(a.connected) ||
      (b.lastReceivedAt ?? '').localeCompare(a.lastReceivedAt ?? '') ||
      a.deviceId.localeCompare(b.deviceId),
  );
}

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** W10: how far off this device's clock seems, rounded to what a person reads at a glance. */
export function clockWarningText(warning: ClockWarning, t: Translate): string {
  const away = Math.abs(warning.peersAheadByMs);
  const amount =
    away < 90 * minute
      ? t('syncHealth.minutes', { count: Math.round(away / minute) })
      : away < 2 * day
        ? t('syncHealth.hours', { count: Math.round(away / hour) })
        : t('syncHealth.days', { count: Math.round(away / day) });
  // Peers ahead of us means our clock is behind.
  return warning.peersAheadByMs > 0
    ? t('syncHealth.clockBehind', { amount })
    : t('syncHealth.clockAhead', { amount });
}

const knownRefusalReasons: ReadonlySet<string> = new Set([
  'unknown-key',
  'deletion',
  'overwrite',
  'invalid-entry',
  'foreign-summary',
  'unissued-id',
  'unknown-facility',
  'settings',
  'budget',
  'read-only-role',
  'membership',
  'unresolvable',
  'unsigned',
  'bad-signature',
  'unknown-author',
  'foreign-client',
  'malformed-change',
  'write-rule',
]);

/** W13: plain words for why an update was refused; a reason added later reads "Not accepted". */
export function refusalReasonText(reason: string, t: Translate): string {
  const key = knownRefusalReasons.has(reason) ? reason : 'other';
  return t(`syncHealth.reason.${key}` as MessageKey);
}

/** W13: which document a refused update was for, in a clinic's words. */
export function refusalDocText(
  refusal: Pick<RefusalView, 'docId'>,
  facilityNames: Readonly<Record<string, string>>,
  t: Translate,
): string {
  const [kind, id = ''] = refusal.docId.split(':');
  if (kind === 'patient') return t('syncHealth.doc.patient', { ctcId: id });
  if (kind === 'register')
    return t('syncHealth.doc.register', { facility: facilityNames[id] ?? id });
  if (kind === 'network') return t('syncHealth.doc.network');
  return refusal.docId;
}

/** Facility names by code, from what the Network screen already lists. */
export function facilityNamesOf(view: NetworkView): Record<string, string> {
  const names: Record<string, string> = {};
  for (const facility of view.facilities) if (facility.name) names[facility.code] = facility.name;
  for (const peer of view.peers)
    if (peer.facilityName) names[peer.facilityCode] = peer.facilityName;
  return names;
}
