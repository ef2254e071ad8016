import type { NetworkSettings, NetworkSettingsInput } from '../../app/views';
import type { FormValues } from './values';

/**
 * The settings form's starting values: the saved settings, or (before joining) the build's
 * signaling servers so most devices only type the name and the secret.
 */
export function networkSettingsValues(
  settings: NetworkSettings | undefined,
  defaultSignalingUrls: readonly string[],
): FormValues {
  if (!settings)
    return {
      networkName: '',
      secret: '',
      signalingUrls: defaultSignalingUrls.join('\n'),
      iceUrls: '',
      iceUsername: '',
      iceCredential: '',
      relay: false,
    };
  const withLogin = settings.iceServers.find((server) => server.username || server.credential);
  return {
    networkName: settings.networkName,
    secret: settings.secret,
    signalingUrls: settings.signalingUrls.join('\n'),
    iceUrls: settings.iceServers.flatMap((server) => server.urls).join('\n'),
    iceUsername: withLogin?.username ?? '',
    iceCredential: withLogin?.credential ?? '',
    relay: settings.relay,
  };
}

export function networkSettingsInput(values: FormValues): NetworkSettingsInput {
  const text = (name: Exclude<keyof NetworkSettingsInput, 'relay'>) => {
    const value = values[name];
    return typeof value === 'string' ? value : '';
  };
  return {
    networkName: text('networkName'),
    secret: text('secret'),
    signalingUrls: text('signalingUrls'),
    iceUrls: text('iceUrls'),
    iceUsername: text('iceUsername'),
    iceCredential: text('iceCredential'),
    relay: values.relay === true,
  };
}
