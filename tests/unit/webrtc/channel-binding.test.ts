import { describe, expect, it } from 'vitest';
import { channelBindingFromSdp, dtlsFingerprints } from '../../../src/sync/webrtc/channel-binding';

const FP_A =
  '6B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08';
const FP_B =
  'E3:0C:7A:12:00:91:AA:4B:77:3C:5D:16:9E:2F:80:41:C7:58:0B:DD:63:10:9A:2E:44:7F:15:C2:08:B9:3D:61';

/** Shaped like Chromium's offer (media-level fingerprint). */
const chromium = (fp: string) =>
  [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:EsAw',
    `a=fingerprint:sha-256 ${fp}`,
    'a=setup:actpass',
    'a=mid:0',
    'a=sctp-port:5000',
    '',
  ].join('\r\n');
/** Shaped like libdatachannel's (session-level, lower-case hex, LF line ends). */
const libdatachannel = (fp: string) =>
  [
    'v=0',
    'o=rtc 123 0 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    `a=fingerprint:sha-256 ${fp.toLowerCase()}`,
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'a=setup:active',
    '',
  ].join('\n');

describe('WebRTC channel binding (CB2)', () => {
  it("CB2: both ends compute the same binding from their own and the other's description", () => {
    const atA = channelBindingFromSdp(chromium(FP_A), libdatachannel(FP_B));
    const atB = channelBindingFromSdp(libdatachannel(FP_B), chromium(FP_A));
    expect(atA).toBeDefined();
    expect([...atA!]).toEqual([...atB!]);
  });

  it('CB2: a relaying party has its own certificate on each leg, so the legs differ', () => {
    const FP_M = FP_A.replace('6B', '00');
    const legA = channelBindingFromSdp(chromium(FP_A), chromium(FP_M));
    const legB = channelBindingFromSdp(chromium(FP_M), chromium(FP_B));
    expect([...legA!]).not.toEqual([...legB!]);
  });

  it('CB2: a description without a fingerprint gives no binding; fingerprints are normalised', () => {
    expect(channelBindingFromSdp('v=0\r\ns=-', chromium(FP_B))).toBeUndefined();
    expect(channelBindingFromSdp(chromium(FP_A), 'a=fingerprint:sha-256 nothex')).toBeUndefined();
    expect(dtlsFingerprints(libdatachannel(FP_B))).toEqual([`sha-256 ${FP_B}`]);
    const two = `${chromium(FP_A)}a=fingerprint:sha-1 AA:BB\r\n`;
    expect(dtlsFingerprints(two)).toEqual(['sha-1 AA:BB', `sha-256 ${FP_A}`]);
  });
});
