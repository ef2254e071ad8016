import type { Locator, Page } from '@playwright/test';

export type NavItem = 'home' | 'clinic' | 'register' | 'settings';

/** The header, menu, "Saving… / Saved" line and update banner around every screen. */
export class AppShell {
  readonly langSwitch: Locator;
  readonly saveStatus: Locator;
  readonly headerFacility: Locator;
  readonly updateBanner: Locator;
  readonly updateNow: Locator;
  readonly updateSaveFirst: Locator;
  readonly html: Locator;

  constructor(readonly page: Page) {
    this.langSwitch = page.getByTestId('lang-switch');
    this.saveStatus = page.getByTestId('save-status');
    this.headerFacility = page.getByTestId('header-facility');
    this.updateBanner = page.getByTestId('update-banner');
    this.updateNow = page.getByTestId('update-now');
    this.updateSaveFirst = page.getByTestId('update-save-first');
    this.html = page.locator('html');
  }

  navLink(item: NavItem): Locator {
    return this.page.getByTestId(`nav-${item}`);
  }

  async goTo(item: NavItem): Promise<void> {
    await this.navLink(item).click();
  }

  /** Opens a hash route directly, as a bookmark or reload would. */
  async open(hash: string): Promise<void> {
    await this.page.goto(`/${hash}`);
  }

  async switchLanguage(): Promise<void> {
    await this.langSwitch.click();
  }
}
