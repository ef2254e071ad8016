/**
 * The WebRTC negotiation messages peers exchange through signaling (inside the encrypted
 * payload). Each names the connection attempt (`cid`) it belongs to, so signals of an attempt
 * that was replaced or timed out are recognised as stale instead of confusing the new one.
 * Decoding is strict: anything off-shape is `undefined` and counts against the sender.
 */
export type Signal =
  | { readonly kind: 'offer'; readonly cid: string; readonly sdp: string; readonly device: string }
  | { readonly kind: 'answer'; readonly cid: string; readonly sdp: string }
  | { readonly kind: 'candidate'; readonly cid: string; readonly candidate: RTCIceCandidateInit };

const CID = /^[0-9a-f]{16}$/;
const MAX_SDP_LENGTH = 32 * 1024;
const MAX_CANDIDATE_LENGTH = 1024;
const MAX_DEVICE_LENGTH = 128;

const optionalString = (value: unknown, max: number): value is string | null | undefined =>
  value === undefined || value === null || (typeof value === 'string' && value.length <= max);

function parseCandidate(value: unknown): RTCIceCandidateInit | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const c = value as Record<string, unknown>;
  if (typeof c.candidate !== 'string' || c.candidate.length > MAX_CANDIDATE_LENGTH)
    return undefined;
  if (!optionalString(c.sdpMid, 64) || !optionalString(c.usernameFragment, 256)) return undefined;
  const index = c.sdpMLineIndex;
  if (index !== undefined && index !== null) {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 64) {
      return undefined;
    }
  }
  return {
    candidate: c.candidate,
    sdpMid: c.sdpMid ?? null,
    sdpMLineIndex: index ?? null,
    usernameFragment: c.usernameFragment ?? null,
  };
}

export function parseSignal(value: unknown): Signal | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Record<string, unknown>;
  if (typeof s.cid !== 'string' || !CID.test(s.cid)) return undefined;
  const sdpOk = typeof s.sdp === 'string' && s.sdp.length > 0 && s.sdp.length <= MAX_SDP_LENGTH;
  switch (s.kind) {
    case 'offer':
      if (!sdpOk || typeof s.device !== 'string') return undefined;
      if (s.device.length === 0 || s.device.length > MAX_DEVICE_LENGTH) return undefined;
      return { kind: 'offer', cid: s.cid, sdp: s.sdp as string, device: s.device };
    case 'answer':
      return sdpOk ? { kind: 'answer', cid: s.cid, sdp: s.sdp as string } : undefined;
    case 'candidate': {
      const candidate = parseCandidate(s.candidate);
      return candidate ? { kind: 'candidate', cid: s.cid, candidate } : undefined;
    }
    default:
      return undefined;
  }
}
