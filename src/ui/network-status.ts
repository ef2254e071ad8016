/**
 * How the network's state is put in front of a person: the header chip's one word, and the
 * order of the facility and device lists (what is reachable now comes first).
 */
import type { FacilityView, NetworkView, PeerView } from '../app/views';

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
