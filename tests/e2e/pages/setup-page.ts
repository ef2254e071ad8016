import type { Page } from '@playwright/test';
import type { DeviceDetails } from '../data';
import { FormPage } from './form-page';

/** First run: the facility, the user and the device slot. */
export class SetupPage extends FormPage {
  constructor(page: Page) {
    super(page, page.getByTestId('screen-setup'));
  }

  async fillDevice(device: DeviceDetails): Promise<void> {
    await this.fill('facilityName', device.facilityName);
    await this.fill('facilityCode', device.facilityCode);
    await this.fill('region', device.region);
    await this.fill('district', device.district);
    await this.fill('userName', device.userName);
    await this.select('role', device.role);
    await this.fill('deviceSlot', device.deviceSlot);
  }
}
