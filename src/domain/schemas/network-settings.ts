/**
 * The network a device joins: its name, the shared secret, and where to find peers.
 * Not clinical, but entered by a person in a form, so it is validated the same way.
 */
import { err, ok, type Result } from '../../lib/result';
import type { FieldIssue } from '../types';
import { fieldIssue } from './issues';

export interface NetworkSettingsValues {
  networkName: string;
  secret: string;
  signalingUrls: string[];
  iceServers: Array<{ urls: string[]; username?: string; credential?: string }>;
  /** An always-on device that keeps a copy of every record to carry between facilities. */
  relay: boolean;
}

export const networkLimits = { nameMin: 3, nameMax: 64, secretMin: 12, secretMax: 256 } as const;

const splitList = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);

const isUrlWithScheme = (value: string, schemes: readonly string[]): boolean => {
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol);
  } catch {
    return false;
  }
};

export function validateNetworkSettings(
  raw: Record<string, unknown>,
): Result<NetworkSettingsValues, FieldIssue[]> {
  const str = (key: string) => (typeof raw[key] === 'string' ? raw[key] : '').trim();
  const issues: FieldIssue[] = [];
  const networkName = str('networkName').replace(/\s+/g, ' ');
  const secret = str('secret');
  const signalingUrls = splitList(str('signalingUrls'));
  const iceUrls = splitList(str('iceUrls'));
  const iceUsername = str('iceUsername');
  const iceCredential = str('iceCredential');

  if (networkName === '') issues.push(fieldIssue('networkName', 'required'));
  else if (networkName.length < networkLimits.nameMin)
    issues.push(fieldIssue('networkName', 'too_short', { min: networkLimits.nameMin }));
  else if (networkName.length > networkLimits.nameMax)
    issues.push(fieldIssue('networkName', 'too_long', { max: networkLimits.nameMax }));

  if (secret === '') issues.push(fieldIssue('secret', 'required'));
  else if (secret.length < networkLimits.secretMin)
    issues.push(fieldIssue('secret', 'too_short', { min: networkLimits.secretMin }));
  else if (secret.length > networkLimits.secretMax)
    issues.push(fieldIssue('secret', 'too_long', { max: networkLimits.secretMax }));

  if (signalingUrls.length === 0) issues.push(fieldIssue('signalingUrls', 'required'));
  else if (!signalingUrls.every((url) => isUrlWithScheme(url, ['ws:', 'wss:'])))
    issues.push(fieldIssue('signalingUrls', 'invalid_format'));

  if (!iceUrls.every((url) => /^(stun|turn|turns):[^\s]+$/.test(url)))
    issues.push(fieldIssue('iceUrls', 'invalid_format'));
  if (iceUrls.some((url) => url.startsWith('turn')) && (iceUsername === '' || iceCredential === ''))
    issues.push(fieldIssue(iceUsername === '' ? 'iceUsername' : 'iceCredential', 'required'));

  if (issues.length > 0) return err(issues);
  const iceServers =
    iceUrls.length === 0
      ? []
      : [
          {
            urls: iceUrls,
            ...(iceUsername ? { username: iceUsername } : {}),
            ...(iceCredential ? { credential: iceCredential } : {}),
          },
        ];
  const relay = raw.relay === true || raw.relay === 'true' || raw.relay === 'on';
  return ok({ networkName, secret, signalingUrls, iceServers, relay });
}
