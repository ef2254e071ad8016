/**
 * CB2: the channel binding of a WebRTC connection: both DTLS certificate fingerprints, read from
 * the local and remote session descriptions, in an order both ends agree on. A party relaying
 * between two devices holds two DTLS connections with its own certificate on each, so the two
 * legs' bindings differ and a proof signed over one is worthless on the other (auth A7).
 */
const LABEL = 'pamoja-channel-binding-v1';
const FINGERPRINT_LINE = /^a=fingerprint:([A-Za-z0-9-]+) ([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+)\s*$/;

/** The `a=fingerprint:` values of one description (session or media level), normalised. */
export function dtlsFingerprints(sdp: string): string[] {
  const found = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    const match = FINGERPRINT_LINE.exec(line.trim());
    if (match)
      found.add(`${(match[1] as string).toLowerCase()} ${(match[2] as string).toUpperCase()}`);
  }
  return [...found].sort();
}

/**
 * The binding, or undefined when either description names no fingerprint (then the connection
 * cannot be authenticated and is closed rather than used unbound).
 */
export function channelBindingFromSdp(localSdp: string, remoteSdp: string): Uint8Array | undefined {
  const local = dtlsFingerprints(localSdp);
  const remote = dtlsFingerprints(remoteSdp);
  if (local.length === 0 || remote.length === 0) return undefined;
  const sides = [local.join(','), remote.join(',')].sort();
  const binding = new TextEncoder().encode(`${LABEL}\n${sides[0]}\n${sides[1]}`);
  return binding.length <= 1024 ? binding : undefined;
}
