import { expect, type Page } from '@playwright/test';

/**
 * Waits until the service worker is active (its install, i.e. the precache download, has
 * finished) and its precache holds the app shell. Returns the number of precached files.
 */
export async function waitForPrecache(page: Page): Promise<number> {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    const names = await caches.keys();
    const precache = names.find((name) => name.includes('precache'));
    if (!precache) throw new Error(`No precache among caches: ${names.join(', ')}`);
    return (await (await caches.open(precache)).keys()).length;
  });
}

/** Reloads until the active worker controls the page (the first load is never controlled). */
export async function reloadUnderServiceWorker(page: Page): Promise<void> {
  await page.reload();
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null))
    .toBe(true);
}
