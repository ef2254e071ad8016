/**
 * Fixtures for engines with auth on (auth.md A15–A24): enrolled devices with real WebCrypto keys,
 * a membership each test edits, and replicas on the seeded memory network.
 */
import {
  createDeviceKey,
  createWebCryptoVerifier,
  deviceIdFromPublicKey,
  type DeviceKey,
} from '../../../src/crdt/trust/device-key';
import type { DeviceId } from '../../../src/domain/types';
import type { Member } from '../../../src/crdt/trust/types';
import { createSeededRandom } from '../../../src/lib/deps';
import { mayReadByRole, type SyncAuth } from '../../../src/sync/auth/session-auth';
import { decodeFrame, decodeMessage } from '../../../src/sync/codec';
import { createSyncEngine } from '../../../src/sync/engine';
import { defaultLimits } from '../../../src/sync/limits';
import { createMemoryHost } from '../../../src/sync/memory-host';
import type { Channel, PeerId, Transport } from '../../../src/sync/ports';
import type { MemoryNetwork } from '../../../src/sync/transports/memory';
import { captureLogger, manualTimers, type Replica } from './harness';

export interface Device {
  key: DeviceKey;
  deviceId: DeviceId;
  member: Member;
}

export async function makeDevice(member: Partial<Member> = {}): Promise<Device> {
  const key = await createDeviceKey({ algorithm: 'Ed25519' });
  const deviceId = await deviceIdFromPublicKey(key.publicKey);
  return {
    key,
    deviceId,
    member: {
      deviceId,
      publicKey: key.publicKey,
      algorithm: key.algorithm,
      role: 'clinician',
      ...member,
    },
  };
}

/** The network's membership as every replica in a test sees it. */
export class Membership {
  readonly members = new Map<string, Member>();
  readonly revoked = new Set<string>();
  constructor(devices: readonly Device[]) {
    for (const d of devices) this.members.set(d.deviceId, d.member);
  }
  enrol(device: Device): void {
    this.members.set(device.deviceId, device.member);
  }
  revoke(device: Device): void {
    this.revoked.add(device.deviceId);
    const member = this.members.get(device.deviceId);
    if (member) this.members.set(device.deviceId, { ...member, revokedBy: 'test-revocation' });
  }
}

/** Districts of the test facilities (FAC_A and FAC_B in one district, FAC_C in another). */
export const districtOf = (facility: string): string | undefined =>
  ({ '01020001': 'ilala', '01020002': 'ilala', '01020003': 'kinondoni' })[facility];

const verifier = createWebCryptoVerifier();

export function authFor(device: Device, membership: Membership): SyncAuth {
  return {
    self: { ...device.key, deviceId: device.deviceId },
    verifier,
    lookupMember: (id) => membership.members.get(id),
    isRevoked: (id) => membership.revoked.has(id),
    mayRead: (member, docId) => mayReadByRole(member, docId, districtOf),
  };
}

/** Message kinds a node received, decoded from the raw frames its channels delivered. */
export function observed(transport: Transport): { transport: Transport; kinds: string[] } {
  const kinds: string[] = [];
  return {
    kinds,
    transport: {
      onPeerConnected(listener: (peer: PeerId, channel: Channel) => void) {
        return transport.onPeerConnected((peer, channel) => {
          channel.onMessage((frame) => {
            const decoded = decodeFrame(frame, defaultLimits.maxMessageBytes);
            if (!decoded.ok) return void kinds.push('undecodable');
            if (decoded.value.type === 'chunk') return void kinds.push('chunk');
            const message = decodeMessage(decoded.value.bytes, defaultLimits);
            kinds.push(message.ok ? message.value.kind : 'undecodable');
          });
          // A23: what the engine tells the transport once the peer proved its device key.
          const told = channel.authenticated?.bind(channel);
          channel.authenticated = (deviceId) => {
            kinds.push(`authenticated:${deviceId}`);
            told?.(deviceId);
          };
          listener(peer, channel);
        });
      },
    },
  };
}

export interface AuthReplica extends Replica {
  device: Device;
  received: string[];
}

export function createAuthReplica(
  net: MemoryNetwork,
  name: string,
  device: Device,
  membership: Membership,
  options: { relay?: boolean; facility?: string; auth?: SyncAuth } = {},
): AuthReplica {
  const host = createMemoryHost({ relay: options.relay ?? false });
  const logger = captureLogger();
  const timers = manualTimers();
  const watched = observed(net.node(name));
  const facility = options.facility ?? device.member.facilityCode ?? '';
  const engine = createSyncEngine({
    host,
    deviceId: device.deviceId,
    facility,
    transports: [watched.transport],
    logger,
    timers,
    clock: { now: () => timers.now() },
    random: createSeededRandom(name.length * 7919 + name.charCodeAt(0)),
    auth: options.auth ?? authFor(device, membership),
  });
  return { id: name, facility, host, engine, logger, device, received: watched.kinds };
}

/** Delivers until the network is quiet and every engine (and its WebCrypto work) is idle. */
export async function settle(net: MemoryNetwork, replicas: readonly Replica[]): Promise<void> {
  for (let i = 0; i < 8; i++) {
    await net.flush();
    await Promise.all(replicas.map((r) => r.engine.whenIdle()));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await net.flush();
}

/** Reasons of every session this replica closed or saw closed, in order. */
export function closeReasons(replica: Replica): unknown[] {
  return replica.logger.entries
    .filter((e) => e.event === 'sync.session-closed')
    .map((e) => e.details.reason);
}
