/**
 * Debian's Chromium (`apt-get install chromium`: /usr/bin/chromium, or CHROMIUM_PATH) driven by
 * playwright-core, which downloads no browser of its own. One browser per test file; the flags are
 * the ones known to work headless as root on a machine with a closed network (no sandbox for root;
 * no background networking, component updates or sync, whose connections would be refused).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
}
