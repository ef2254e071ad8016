/**
 * A new version never reloads over unsaved input. The built app is copied and served by a
 * small static server of the test's own, so the test can publish a "new version" (a
 * byte-different sw.js) while the page is open.
 */
import { cp, mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zaituni } from './data';
import { en } from '../../src/ui/i18n/en';
import { expect, test } from './fixtures';
import { reloadUnderServiceWorker, waitForPrecache } from './service-worker';

/** The build under test (`vite build` runs before the suite). */
const distDir = fileURLToPath(new URL('../../dist', import.meta.url));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** Serves `root` on a free localhost port; unknown paths get index.html, as an SPA host does. */
async function serveStatic(root: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const relative = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
    const send = (file: string, status = 200) =>
      readFile(join(root, file)).then((body) => {
        response.writeHead(status, {
          'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
          // The browser must ask for the worker script every time, or it never sees an update.
          'Cache-Control': file.endsWith('sw.js') ? 'no-cache' : 'max-age=0',
        });
        response.end(body);
      });
    send(relative).catch(() =>
      send('index.html').catch((error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://localhost:${port}` };
}

test.describe('update prompt', () => {
  let root: string;
  let server: Server;
  let origin: string;

  test.beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'pamoja-update-'));
    await cp(distDir, root, { recursive: true });
    ({ server, origin } = await serveStatic(root));
  });

  test.afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(root, { recursive: true, force: true });
  });

  test('waits for unsaved input, then "Update now" loads the new version', async ({
    app,
    page,
  }) => {
    await page.goto(`${origin}/`);
    await app.setup.fillDevice({
      facilityName: 'Amana CTC',
      facilityCode: '07020045',
      region: 'Dar es Salaam',
      district: 'Ilala',
      userName: 'Sara Kimaro',
      role: 'clinician',
      deviceSlot: '3',
    });
    await app.setup.save();
    await expect(app.home.screen).toBeVisible();
    await waitForPrecache(page);
    await reloadUnderServiceWorker(page);
    const oldWorker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return registration?.active?.scriptURL;
    });
    expect(oldWorker).toBe(`${origin}/sw.js`);

    // Someone is typing a new patient when the new version arrives.
    await app.shell.goTo('register');
    await app.register.fill('givenName', zaituni.givenName);
    await app.register.fill('familyName', zaituni.familyName);
    await page.evaluate(() => ((window as unknown as { __marker?: number }).__marker = 1));
    let loads = 0;
    page.on('load', () => loads++);

    await appendFile(join(root, 'sw.js'), `\n// new version ${Date.now()}\n`);
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });

    await expect(app.shell.updateBanner).toBeVisible();
    await expect(app.shell.updateSaveFirst).toHaveText(en.update.saveFirst);
    await expect(app.shell.updateNow).toHaveCount(0);
    // Give a wrongly eager reload the time to happen before checking it did not.
    await expect
      .poll(() =>
        page.evaluate(async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          return registration?.waiting?.state;
        }),
      )
      .toBe('installed');
    await expect(app.register.input('givenName')).toHaveValue(zaituni.givenName);
    await expect(app.register.input('familyName')).toHaveValue(zaituni.familyName);
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(
      1,
    );

    expect(loads, 'page loads while input was unsaved').toBe(0);

    // With the form cleared nothing is at risk: the banner offers the update.
    await app.register.clearButton.click();
    await expect(app.shell.updateSaveFirst).toHaveCount(0);
    await expect(app.shell.updateNow).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(
      1,
    );

    expect(loads, 'page loads before "Update now"').toBe(0);
    await Promise.all([page.waitForEvent('load'), app.shell.updateNow.click()]);
    expect(loads).toBe(1);
    await expect(app.register.screen).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(
      undefined,
    );
    // The page now runs under the new worker, and none is left waiting.
    const state = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return {
        waiting: registration?.waiting !== null,
        controlled: navigator.serviceWorker.controller?.state,
      };
    });
    expect(state).toEqual({ waiting: false, controlled: 'activated' });
    await expect(app.shell.updateBanner).toHaveCount(0);
  });
});
