import type { Locator, Page } from '@playwright/test';

/**
 * What every form screen shares (FormShell): inputs found by their field name, the message
 * beside a field, the save button and the banners above the form.
 */
export class FormPage {
  readonly saveButton: Locator;
  readonly saveError: Locator;
  readonly draftRestored: Locator;
  readonly clearButton: Locator;

  constructor(
    readonly page: Page,
    readonly screen: Locator,
  ) {
    this.saveButton = screen.getByTestId('save-button');
    this.saveError = screen.getByTestId('save-error');
    this.draftRestored = screen.getByTestId('draft-restored');
    this.clearButton = screen.getByTestId('clear-form');
  }

  get heading(): Locator {
    return this.screen.locator('h1');
  }

  /** A text, date, select or textarea input (its id is the field name). */
  input(field: string): Locator {
    return this.screen.locator(`[id="${field}"]`);
  }

  /** One option of a radio group or checkbox group: id `<field>-<code>`. */
  option(field: string, code: string): Locator {
    return this.screen.locator(`[id="${field}-${code}"]`);
  }

  fieldError(field: string): Locator {
    return this.screen.getByTestId(`field-error-${field}`);
  }

  async fill(field: string, value: string): Promise<void> {
    await this.input(field).fill(value);
  }

  async select(field: string, value: string): Promise<void> {
    await this.input(field).selectOption(value);
  }

  async choose(field: string, code: string): Promise<void> {
    await this.option(field, code).check();
  }

  async tick(field: string, codes: readonly string[]): Promise<void> {
    for (const code of codes) await this.option(field, code).check();
  }

  async save(): Promise<void> {
    await this.saveButton.click();
  }
}
