/**
 * Sync status as plain, serialisable data (docs/protocol.md §11): per peer device and per
 * facility, whether connected, when data last arrived, what waits to be sent and what is known
 * to be behind. Times are epoch milliseconds, or null for "never".
 */
import type { DocId } from '../crdt/doc-id';
import type { RefusalReason } from '../crdt/policy/refusal';
import type { CloseReason } from './reasons';

export interface PeerSyncStatus {
  deviceId: string;
  /** '' when the peer has no facility (e.g. a relay box). */
  facility: string;
  relay: boolean;
  connected: boolean;
  /** Last time document data from this peer was applied. */
  lastReceivedAt: number | null;
  /** Last time a reconciliation with this peer completed (both sides then had the same data). */
  lastSyncedAt: number | null;
  /** Docs changed here that this peer wants and has not been sent yet (it was not connected). */
  pendingToSend: DocId[];
  /** Docs the peer has data for that we asked for and have not received. */
  behind: DocId[];
  lastCloseReason: CloseReason | null;
  /**
   * How far this peer's clock is ahead of ours (negative: behind), in milliseconds, from the
   * time it gave in its hello; null until known.
   */
  clockOffsetMs: number | null;
}

/** One update the policy refused (§15), for the sync log. */
export interface RefusalRecord {
  at: number;
  deviceId: string | null;
  docId: DocId;
  reason: RefusalReason;
  detail: string;
}

export interface FacilitySyncStatus {
  facility: string;
  devices: string[];
  connected: boolean;
  lastReceivedAt: number | null;
  lastSyncedAt: number | null;
  pendingToSend: number;
  behind: number;
}

export interface SyncStatus {
  deviceId: string;
  peers: PeerSyncStatus[];
  facilities: FacilitySyncStatus[];
  /** The most recent refused updates, newest last (bounded: `maxRefusalRecords`). */
  refusals: RefusalRecord[];
}

export const maxRefusalRecords = 50;

const latest = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b);

export function facilitiesOf(peers: readonly PeerSyncStatus[]): FacilitySyncStatus[] {
  const byFacility = new Map<
    string,
    FacilitySyncStatus & { pendingSet: Set<DocId>; behindSet: Set<DocId> }
  >();
  for (const peer of peers) {
    if (peer.facility === '') continue;
    let entry = byFacility.get(peer.facility);
    if (!entry) {
      entry = {
        facility: peer.facility,
        devices: [],
        connected: false,
        lastReceivedAt: null,
        lastSyncedAt: null,
        pendingToSend: 0,
        behind: 0,
        pendingSet: new Set(),
        behindSet: new Set(),
      };
      byFacility.set(peer.facility, entry);
    }
    entry.devices.push(peer.deviceId);
    entry.connected ||= peer.connected;
    entry.lastReceivedAt = latest(entry.lastReceivedAt, peer.lastReceivedAt);
    entry.lastSyncedAt = latest(entry.lastSyncedAt, peer.lastSyncedAt);
    for (const id of peer.pendingToSend) entry.pendingSet.add(id);
    for (const id of peer.behind) entry.behindSet.add(id);
  }
  return [...byFacility.values()]
    .sort((a, b) => (a.facility < b.facility ? -1 : 1))
    .map(({ pendingSet, behindSet, ...rest }) => ({
      ...rest,
      devices: rest.devices.sort(),
      pendingToSend: pendingSet.size,
      behind: behindSet.size,
    }));
}
