// One place for how this project launches Chromium (see ../shared/docs/testing.md).
import { existsSync } from 'node:fs';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
];

export function launchOptions() {
  return {
    executablePath: existsSync(chromiumPath) ? chromiumPath : undefined,
    args: chromiumArgs,
  };
}
