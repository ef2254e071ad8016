/**
 * Tests that need a real browser (WebRTC): Vitest browser mode in headless Debian Chromium via
 * Playwright. Run with `npx vitest run -c vitest.browser.config.ts`.
 * A signaling server runs in the Node process (tests/browser/global-setup.ts); pages get its URL
 * through `inject('signalingUrl')`.
 */
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { launchOptions } from './scripts/chromium.mjs';

const launch = launchOptions();

export default defineConfig({
  resolve: { dedupe: ['yjs'] },
  test: {
    include: ['tests/browser/**/*.test.ts'],
    globalSetup: ['tests/browser/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores shared with other work: one browser, one file at a time.
    fileParallelism: false,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          ...launch,
          // Loopback host candidates (see shared testing notes): the flag, and a media permission.
          args: [...new Set([...launch.args, '--allow-loopback-in-peer-connection'])],
        },
        contextOptions: { permissions: ['camera', 'microphone'] },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
