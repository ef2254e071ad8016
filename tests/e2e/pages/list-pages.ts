import type { Locator, Page } from '@playwright/test';

export type ClinicSection = 'dueToday' | 'overdue' | 'missed' | 'ltfu';

/** Today's clinic: who is due, overdue, missed or lost to follow-up. */
export class ClinicPage {
  readonly screen: Locator;

  constructor(readonly page: Page) {
    this.screen = page.getByTestId('screen-clinic');
  }

  section(name: ClinicSection): Locator {
    return this.screen.getByTestId(`clinic-${name}`);
  }

  items(name: ClinicSection): Locator {
    return this.section(name).getByTestId('clinic-item');
  }
}

/** Settings: language, storage and this device. */
export class SettingsPage {
  readonly screen: Locator;
  readonly storage: Locator;
  readonly storageMeter: Locator;
  readonly storagePersistent: Locator;
  readonly deviceInfo: Locator;
  readonly deviceSlot: Locator;

  constructor(readonly page: Page) {
    this.screen = page.getByTestId('screen-settings');
    this.storage = this.screen.getByTestId('storage');
    this.storageMeter = this.screen.getByTestId('storage-meter');
    this.storagePersistent = this.screen.getByTestId('storage-persistent');
    this.deviceInfo = this.screen.getByTestId('device-info');
    this.deviceSlot = this.screen.getByTestId('device-slot');
  }
}
