/**
 * Who is using this device and in which language: the profile as runes, so setting up the
 * device or switching language re-renders the shell at once. The network is optional so a
 * session can be built from the clinic service alone (a device that never syncs, or a test).
 */
import type { ClinicService, DeviceProfile, NetworkService } from '../../app/views';
import type { Language } from '../../domain/types';
import { initialLanguage, locale } from '../i18n/i18n.svelte';
import { NetworkState } from './network.svelte';

export class Session {
  profile = $state<DeviceProfile | undefined>();
  readonly network: NetworkState | undefined;

  constructor(
    readonly service: ClinicService,
    network?: NetworkService,
  ) {
    this.profile = service.profile();
    this.network = network ? new NetworkState(network) : undefined;
    locale.set(this.profile?.language ?? initialLanguage());
  }

  get canWrite(): boolean {
    return this.profile !== undefined && this.profile.user.role !== 'supervisor';
  }

  setupDone(profile: DeviceProfile): void {
    this.profile = profile;
    locale.set(profile.language);
  }

  /** Switches at once; the choice is stored with the profile (before setup there is none). */
  async setLanguage(language: Language): Promise<void> {
    locale.set(language);
    if (!this.profile) return;
    this.profile = { ...this.profile, language };
    await this.service.setLanguage(language);
  }
}
