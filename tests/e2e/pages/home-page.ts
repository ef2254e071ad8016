import { expect, type Locator, type Page } from '@playwright/test';

/** Search: the start screen once the device is set up. */
export class HomePage {
  readonly screen: Locator;
  readonly searchInput: Locator;
  readonly results: Locator;
  readonly empty: Locator;
  readonly hits: Locator;
  readonly registerNew: Locator;

  constructor(readonly page: Page) {
    this.screen = page.getByTestId('screen-home');
    this.searchInput = this.screen.getByTestId('search-input');
    this.results = this.screen.getByTestId('search-results');
    this.empty = this.screen.getByTestId('search-empty');
    this.hits = this.screen.getByTestId('search-hit');
    this.registerNew = this.screen.getByTestId('register-new');
  }

  hit(ctcId: string): Locator {
    return this.screen.locator(`[data-testid="search-hit"][data-ctc-id="${ctcId}"]`);
  }

  /**
   * Runs a fresh search. The box is emptied first and the old hits must go, so an assertion
   * that follows sees this query's answer, never the previous query's hits still on screen.
   */
  async search(query: string): Promise<void> {
    await this.searchInput.fill('');
    await expect(this.hits).toHaveCount(0);
    await expect(this.empty).toBeHidden();
    await this.searchInput.fill(query);
  }

  async open(ctcId: string): Promise<void> {
    await this.hit(ctcId).click();
  }
}
