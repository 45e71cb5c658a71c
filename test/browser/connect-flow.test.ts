import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FEED_TOKEN, demoFeed } from '../../dev/demo-host/demo-feed.ts';
import { type DevService, startDevService } from '../../dev/service.ts';
import { browserNote, launchChromium, skipWithoutBrowser } from '../support/browser.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The screenshot of the connected page, kept as a test artifact. */
export const SCREENSHOT = path.join(repoRoot, 'test-artifacts', 'connected-page.png');
const WAIT = { timeout: 20_000 };

/**
 * What a newcomer does after `npm run dev`, in a real browser: open the subscription page, connect Google
 * Calendar through the (emulated) consent page, come back connected, see the events in the emulator, change the
 * feed and watch the change arrive without pressing anything, press "Sync now", and disconnect. The service runs
 * in this process on free ports with its own data folder, exactly as `npm run dev` starts it.
 */
describe.skipIf(skipWithoutBrowser)(`the subscription page in a browser${browserNote}`, () => {
  let service: DevService;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ics-sync-dev-'));
  const logs: string[] = [];

  /** Why the browser or the service could not start: each test then fails with it (not skipped). */
  let setupError: unknown;

  beforeAll(async () => {
    try {
      service = await startDevService(
        {
          port: 0,
          emulatorPort: 0,
          dataDir,
          google: { mode: 'emulator' },
          fresh: false,
          env: { POWERTOOLS_LOG_LEVEL: 'INFO' },
        },
        (line) => logs.push(line),
      );
      browser = await launchChromium();
      context = browser.context;
      page = await context.newPage();
    } catch (error) {
      setupError = error;
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const statusPanel = () => page.locator('#sync-status');

  it('connects, syncs, follows a feed change, syncs on demand and disconnects', async () => {
    if (setupError) throw setupError;
    await page.goto(`${service.baseUrl}/`);
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Your calendar subscription');
    await expect.poll(() => statusPanel().textContent()).toContain('Not connected');

    // Connect: the host's form posts to the service, which sends the browser to Google's consent page.
    await page.getByRole('button', { name: 'Connect Google Calendar' }).click();
    await page.waitForURL((url) => url.origin === new URL(service.emulatorUrl as string).origin, WAIT);
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toContain('wants to access your Google Account');
    await page.getByRole('button', { name: 'Allow' }).click();

    // Back on the subscription page, connected; the first sync shows up without a reload.
    await page.waitForURL(`${service.baseUrl}/?google=connected`, WAIT);
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('Google Calendar is connected');
    await expect.poll(() => statusPanel().textContent(), WAIT).toContain('the calendar equals the feed');
    const firstCount = await eventCount(page);
    expect(firstCount).toBe(10); // the demo feed's ten events (series count once, with their exceptions)
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The events are in the (emulated) Google calendar.
    const google = await context.newPage();
    await google.goto(service.emulatorUrl as string);
    const emulatorText = () => google.locator('body').textContent();
    await expect.poll(emulatorText).toContain('ICS subscription');
    for (const summary of ['Team stand-up', 'Call with the New York office', 'Company holiday', 'Dentist']) {
      expect(await emulatorText()).toContain(summary);
    }

    // The ICS service changes the feed (PUT, local run only): the host notifies, Google follows by itself.
    const changed = demoFeed(new Date()).replace(
      'END:VCALENDAR',
      [
        'BEGIN:VEVENT',
        'UID:board-meeting@demo.ics.example',
        'DTSTAMP:20260101T000000Z',
        `DTSTART:${tomorrow()}T150000Z`,
        `DTEND:${tomorrow()}T160000Z`,
        'SUMMARY:Board meeting (added by the browser test)',
        'END:VEVENT',
        'END:VCALENDAR',
      ].join('\r\n'),
    );
    const put = await fetch(`${service.baseUrl}/demo/feeds/${DEMO_FEED_TOKEN}.ics`, {
      method: 'PUT',
      headers: { 'content-type': 'text/calendar' },
      body: changed,
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { notified: { status: number } }).notified.status).toBe(202);
    await expect.poll(() => eventCount(page), WAIT).toBe(firstCount + 1);
    await expect
      .poll(async () => {
        await google.reload();
        return emulatorText();
      }, WAIT)
      .toContain('Board meeting (added by the browser test)');

    // Sync now: queued, and the status shows a sync that compared the calendar with the feed (an audit: Sync
    // now always looks at Google) and found nothing to write.
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.waitForURL(`${service.baseUrl}/?sync=queued`, WAIT);
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Sync requested');
    await expect
      .poll(() => statusPanel().textContent(), WAIT)
      .toContain('the calendar equals the feed (0 added, 0 updated, 0 removed)');

    // Disconnect, deleting the calendar.
    await page.getByLabel(/Also delete the .* calendar from my Google account/).check();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.waitForURL(`${service.baseUrl}/?disconnected=deleted`, WAIT);
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('the calendar was deleted from your Google account');
    await expect.poll(() => statusPanel().textContent()).toContain('Not connected');
    expect(await page.getByRole('button', { name: 'Connect Google Calendar' }).isVisible()).toBe(true);
    const calendars = service.emulator?.control.state().calendars ?? [];
    expect(calendars.filter((calendar) => !calendar.primary)).toEqual([]);
    expect(logs.filter((line) => / (ERROR|WARN) /.test(line))).toEqual([]);
  }, 90_000);

  it('a connect link shows the confirmation page, whose button goes on to Google', async () => {
    if (setupError) throw setupError;
    // A real browser sends the Origin header with the confirmation page's form (the service refuses a POST
    // without one): what a request-level test cannot show.
    const { connectIntent } = (await (await fetch(`${service.baseUrl}/demo/status`)).json()) as {
      connectIntent: string;
    };
    const link = new URL(`${service.baseUrl}/api/google-oauth/start`);
    link.searchParams.set('token', DEMO_FEED_TOKEN);
    link.searchParams.set('intent', connectIntent);
    link.searchParams.set('return_to', `${service.baseUrl}/`);
    await page.goto(link.toString());
    await expect.poll(() => page.locator('body').textContent()).toContain('“Team calendar (demo)”');
    await page.getByRole('button', { name: 'Connect Google Calendar' }).click();
    await page.waitForURL((url) => url.origin === new URL(service.emulatorUrl as string).origin, WAIT);
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toContain('wants to access your Google Account');
  }, 30_000);
});

/** The number on the status panel's "Events in Google" line. */
async function eventCount(page: Page): Promise<number> {
  const text = (await page.locator('#sync-status').textContent()) ?? '';
  return Number(/Events in Google\s*(\d+)/.exec(text)?.[1] ?? Number.NaN);
}

function tomorrow(): string {
  const date = new Date(Date.now() + 86_400_000);
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}
