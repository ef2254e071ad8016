/** The browser's transport between devices (docs/decisions/0011-webrtc-transport.md). */
export { createWebRtcTransport } from './webrtc-transport';
export type {
  WebRtcOptionIssue,
  WebRtcPeerState,
  WebRtcPeerStatus,
  WebRtcStatus,
  WebRtcTransport,
  WebRtcTransportOptions,
} from './transport-options';
export { defaultBufferLimits, SEND_OVERFLOW } from './data-channel';
export type { BufferLimits } from './data-channel';
export { browserOnlineSource } from './signaling-client';
export type { OnlineSource, SignalingSocketFactory, SignalingState } from './signaling-client';
export { deriveNetworkKeys } from './network-keys';
export type { NetworkKeyIssue, NetworkKeys } from './network-keys';
