/**
 * Installability as Chrome itself judges it (CDP Page.getInstallabilityErrors). Playwright's
 * default contexts are incognito, which Chrome never installs from, so this test launches
 * its own persistent context.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { launchOptions } from '../../scripts/chromium.mjs';
import { expect, test } from './fixtures';
import { waitForPrecache } from './service-worker';

interface ManifestIcon {
  src: string;
  sizes: string;
  type?: string;
  purpose?: string;
}

test('Chrome finds the app installable, with 192 and 512 px icons', async ({ baseURL }) => {
  const profileDir = await mkdtemp(join(tmpdir(), 'pamoja-install-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    ...launchOptions(),
    baseURL,
    viewport: { width: 360, height: 740 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await expect(page.getByTestId('screen-setup')).toBeVisible();
    await waitForPrecache(page);

    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBe('/manifest.webmanifest');
    const response = await page.request.get(href ?? '');
    expect(response.ok()).toBe(true);
    expect(response.headers()['content-type']).toContain('manifest+json');
    const manifest = (await response.json()) as { icons: ManifestIcon[]; display: string };
    expect(manifest.display).toBe('standalone');
    const anyPurpose = manifest.icons.filter((icon) => (icon.purpose ?? 'any').includes('any'));
    for (const size of ['192x192', '512x512']) {
      const icon = anyPurpose.find((candidate) => candidate.sizes === size);
      expect(icon, `an icon of ${size}`).toBeDefined();
      const image = await page.request.get(icon?.src ?? '');
      expect(image.ok(), `${icon?.src} is served`).toBe(true);
      expect(image.headers()['content-type']).toBe('image/png');
    }

    const cdp = await context.newCDPSession(page);
    // Chrome may judge before the worker is ready to answer; ask until its verdict settles.
    // On failure the message lists Chrome's errors (e.g. `no-icon-available`, `in-incognito`).
    await expect
      .poll(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors, {
        message: 'Chrome installability errors',
        timeout: 15_000,
      })
      .toEqual([]);
  } finally {
    await context.close();
    await rm(profileDir, { recursive: true, force: true });
  }
});
