import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core (a browser downloaded by npm does not run on the build machines).
 * `.ci/run` installs it; elsewhere `apt-get install chromium`, or point CHROMIUM_PATH at another Chromium.
 */
export const chromiumPath = process.env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium';

/** CI (or REQUIRE_BROWSER=1) must run the browser tests: there a missing Chromium fails instead of skipping. */
export const browserRequired = Boolean(process.env.CI) || process.env.REQUIRE_BROWSER === '1';

export const skipWithoutBrowser = !existsSync(chromiumPath) && !browserRequired;

/** Appended to the title of a browser test: why it is skipped, or nothing. */
export const browserNote = skipWithoutBrowser
  ? ` (skipped: no Chromium at ${chromiumPath}; install the chromium package or set CHROMIUM_PATH)`
  : '';

if (skipWithoutBrowser) process.stderr.write(`browser tests${browserNote}\n`);

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a fresh profile of its own; `close` removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `no Chromium at ${chromiumPath}: browser tests must run here (CI or REQUIRE_BROWSER=1); install the chromium package or set CHROMIUM_PATH`,
    );
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'ics-sync-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: FLAGS,
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
