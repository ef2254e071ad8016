/** Public surface of the replication engine (docs/protocol.md, CONTEXT.md). */
export { createSyncEngine, RequestError } from './engine';
export type {
  SyncEngine,
  SyncEngineOptions,
  RequestOptions,
  DigestStats,
  ServedRequest,
} from './engine';
export { createMemoryHost } from './memory-host';
export type { MemoryHost, MemoryHostOptions, HostCounters } from './memory-host';
export { createMemoryNetwork } from './transports/memory';
export type {
  MemoryNetwork,
  MemoryNetworkOptions,
  FaultRates,
  NetworkStats,
} from './transports/memory';
export { createBroadcastChannelTransport } from './transports/broadcast-channel';
export type { BroadcastTransport, BroadcastTransportOptions } from './transports/broadcast-channel';
export { CloseReason, isCloseReason } from './reasons';
export { defaultLimits, MAX_FRAME_BYTES, PROTOCOL_VERSION } from './limits';
export type { SyncLimits } from './limits';
export type { SyncStatus, PeerSyncStatus, FacilitySyncStatus } from './status';
export type { Traffic } from './session';
export { silentLogger, systemTimers } from './ports';
export { plainChanges, signedChanges } from './change-format';
export type {
  ChangeFormat,
  Channel,
  IncomingChange,
  LogLevel,
  PeerId,
  ReplicaHost,
  SyncLogger,
  Timers,
  Transport,
} from './ports';
export { createMembershipAuth, encodeHistory } from './auth/membership-auth';
export type { MembershipAuth, MembershipAuthOptions } from './auth/membership-auth';
export { mayReadByRole, isReadOnly } from './auth/session-auth';
export type { SyncAuth } from './auth/session-auth';
