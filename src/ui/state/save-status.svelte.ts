/**
 * The one "Saving… / Saved" line in the shell. "Saved" is set only by a form after the
 * service's promise resolved ok, i.e. after the write is durable. A message may name the
 * screen it is for (the patient page a form returns to); any other screen clears it, so a
 * stale "Saved" never shows beside a form that has not been saved.
 * Messages are functions so they follow a language switch.
 */
class SaveStatus {
  #message = $state<(() => string) | undefined>();
  #forHref: string | undefined;

  get text(): string {
    return this.#message?.() ?? '';
  }

  show(message: () => string, forHref?: string): void {
    this.#message = message;
    this.#forHref = forHref;
  }

  clear(): void {
    this.#message = undefined;
    this.#forHref = undefined;
  }

  /** Called by the shell when the screen changes. */
  arrivedAt(href: string): void {
    if (this.#forHref === href) this.#forHref = undefined;
    else this.clear();
  }
}

export const saveStatus = new SaveStatus();
