/**
 * Several devices in one browser: one browser context each (never two pages of one context,
 * which would share IndexedDB and BroadcastChannel and sync without WebRTC), joined to one
 * network through a signaling server this test process runs.
 */
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { createSignalingServer, type SignalingServer } from '../../../signaling/server';
import type { DeviceDetails } from '../data';
import { Pamoja } from '../fixtures';

export const network = { name: 'Kinondoni CTC network' };

export async function startSignaling(): Promise<{ server: SignalingServer; url: string }> {
  const server = createSignalingServer({
    host: '127.0.0.1',
    port: 0,
    logger: { log: () => undefined },
  });
  const { port } = await server.listen();
  return { server, url: `ws://127.0.0.1:${port}` };
}

/** A CTC ID as a clinician types it from the card: 07-01-0123-000001. */
export const grouped = (ctcId: string) =>
  `${ctcId.slice(0, 2)}-${ctcId.slice(2, 4)}-${ctcId.slice(4, 8)}-${ctcId.slice(8)}`;

export function facilityDevice(
  facilityCode: string,
  facilityName: string,
  userName: string,
  deviceSlot = '1',
): DeviceDetails {
  return {
    facilityName,
    facilityCode,
    region: 'Dar es Salaam',
    district: 'Kinondoni',
    userName,
    role: 'clinician',
    deviceSlot,
  };
}

export class Device {
  readonly app: Pamoja;
  readonly errors: Error[] = [];
  /** Every text frame this device sent to the signaling server. */
  readonly signalingFrames: string[] = [];
  /** The invite link this device joined with (its payload holds the network's secrets). */
  joinedWith: string | undefined;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly details: DeviceDetails,
  ) {
    this.app = new Pamoja(page);
    page.on('pageerror', (error) => this.errors.push(error));
    page.on('websocket', (socket) => {
      socket.on('framesent', (frame) => {
        if (typeof frame.payload === 'string') this.signalingFrames.push(frame.payload);
      });
    });
  }

  static async open(browser: Browser, details: DeviceDetails): Promise<Device> {
    // A media permission is what makes Chromium offer loopback host candidates (testing.md).
    const context = await browser.newContext({
      permissions: ['microphone', 'camera'],
      viewport: { width: 360, height: 740 },
    });
    const page = await context.newPage();
    return new Device(context, page, details);
  }

  /**
   * Set up the device and put it in the network (MS7–MS9): the first device (no `via`) starts
   * the network; every other one is invited by `via`, an admin, and opens the invite link.
   */
  async join(
    signalingUrl: string,
    options: { relay?: boolean; via?: Device; link?: string } = {},
  ): Promise<void> {
    if (!options.via && !options.link) {
      await this.app.start(this.details);
      await this.app.shell.open('#/settings');
      const form = this.page.getByTestId('create-network-form');
      await form.locator('#networkName').fill(network.name);
      await form.locator('#signalingUrls').fill(signalingUrl);
      await form.getByTestId('create-network-button').click();
      await expect(this.page.getByTestId('save-status')).toContainText(/saved|imehifadhiwa/i);
      return;
    }
    const link = options.link ?? (await options.via!.invite(this.details, options.relay ?? false));
    this.joinedWith = link;
    await this.page.goto(link);
    const setup = this.app.setup;
    await expect(setup.screen).toBeVisible();
    await expect(this.page.getByTestId('join-invite')).toBeVisible();
    // The address bar no longer holds the invite's secrets (I10).
    expect(this.page.url()).not.toContain('#/join/');
    if (options.relay) await setup.fillDevice(this.details);
    else {
      await setup.fill('userName', this.details.userName);
      await setup.select('role', this.details.role);
    }
    await setup.save();
    await expect(this.app.home.screen).toBeVisible();
    await expect(this.app.shell.headerFacility).toHaveText(this.details.facilityName);
  }

  /** As an admin: invites a device set up as `details`, and returns the link. */
  async invite(details: DeviceDetails, relay: boolean): Promise<string> {
    await this.openNetwork();
    const form = this.page.getByTestId('invite-form');
    // The form keeps the last invite's choices: choose the role every time.
    await form.locator('#role').selectOption(relay ? 'relay' : 'clinician');
    if (!relay) {
      await form.locator('#facilityCode').fill(details.facilityCode);
      await form.locator('#facilityName').fill(details.facilityName);
      await form.locator('#district').fill(details.district);
      await form.locator('#region').fill(details.region);
      await form.locator('#deviceSlot').fill(details.deviceSlot);
    }
    await form.getByTestId('invite-button').click();
    const link = this.page.getByTestId('invite-link');
    await expect(link).toHaveValue(/#\/join\//);
    await expect(this.page.getByTestId('invite-qr').locator('svg')).toBeVisible();
    return link.inputValue();
  }

  /** The network screen's figures, as the transport reports them. */
  async openNetwork(): Promise<void> {
    await this.app.shell.open('#/network');
    await expect(this.page.getByTestId('screen-network')).toBeVisible();
  }

  /** Waits until a real RTCPeerConnection to `other` is open and carries the session. */
  async expectConnectedTo(other: Device): Promise<void> {
    await this.openNetwork();
    const facility = this.page.locator(
      `[data-testid=network-facility][data-code="${other.details.facilityCode}"]`,
    );
    await expect(facility).toHaveAttribute('data-connected', 'true', { timeout: 20_000 });
    const count = Number(
      await this.page.getByTestId('peer-connections').getAttribute('data-count'),
    );
    expect(count).toBeGreaterThanOrEqual(1);
  }

  async setSync(enabled: boolean): Promise<void> {
    await this.openNetwork();
    // The switch reads "Work offline": it is ticked when sync is off.
    const toggle = this.page.getByTestId('sync-switch');
    if ((await toggle.isChecked()) === enabled) await toggle.click();
    await expect(toggle).toHaveAttribute('data-enabled', String(enabled));
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
