/**
 * A full disk in the page: IndexedDB refuses writes as a device with no space left does, until
 * `freeTheDisk`.
 */
import type { Page } from '@playwright/test';

/** From now on every `add`/`put` on any object store throws as a full disk does. */
export async function fillTheDisk(page: Page): Promise<void> {
  await page.evaluate(() => {
    const proto = IDBObjectStore.prototype;
    // Descriptors, not the methods themselves: they go back exactly as they were.
    const original = {
      add: Object.getOwnPropertyDescriptor(proto, 'add'),
      put: Object.getOwnPropertyDescriptor(proto, 'put'),
    };
    const refuse = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    proto.add = refuse;
    proto.put = refuse;
    (window as unknown as { __freeTheDisk: () => void }).__freeTheDisk = () => {
      for (const [name, descriptor] of Object.entries(original))
        if (descriptor) Object.defineProperty(proto, name, descriptor);
    };
  });
}

export async function freeTheDisk(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { __freeTheDisk: () => void }).__freeTheDisk());
}
