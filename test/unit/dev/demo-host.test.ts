import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEMO_FEED_TOKEN, demoFeed } from '../../../dev/demo-host/demo-feed.ts';
import { withAddedEvent } from '../../../dev/demo-host/feed-change.ts';
import { mintIntent } from '../../../dev/demo-host/host-signing.ts';
import { verifyIntent } from '../../../lambdas/oauth/rules/connect-intent.ts';
import { isWellFormedFeedToken } from '../../../lambdas/oauth/rules/feed-token.ts';
import { StaticHostKeyRing } from '../../../lambdas/shared/adapters/secrets/host-keys.ts';
import { defaultHorizon, mapFeed } from '../../../lambdas/shared/domain/ics/index.ts';

const NOW = new Date('2026-03-04T10:00:00Z');
type Time = { date?: string; dateTime?: string; timeZone?: string } | undefined;
const startOf = (event: { start?: unknown }) => event.start as Time;
const endOf = (event: { end?: unknown }) => event.end as Time;
const map = (text: string) =>
  mapFeed(text, { salt: 'demo', horizon: defaultHorizon(NOW), defaultTimeZone: 'UTC' });

describe('the demo feed', () => {
  const { events, warnings } = map(demoFeed(NOW));

  it('is a feed the service maps without a warning, under a token the service accepts', () => {
    expect(warnings).toEqual([]);
    expect(isWellFormedFeedToken(DEMO_FEED_TOKEN)).toBe(true);
  });

  it('has what real feeds have: series with moved and cancelled occurrences, all-day events, two zones, a reminder', () => {
    const recurring = events.filter((event) => event.recurrence);
    expect(recurring.length).toBeGreaterThanOrEqual(4);
    expect(recurring.some((event) => event.recurrence?.some((line) => line.startsWith('EXDATE')))).toBe(true);
    const exceptions = events.filter((event) => event.recurringEventId);
    expect(exceptions.some((event) => event.status === 'cancelled')).toBe(true);
    expect(exceptions.some((event) => event.status !== 'cancelled')).toBe(true);
    expect(events.filter((event) => startOf(event)?.date).length).toBeGreaterThanOrEqual(3);
    const zones = new Set(events.map((event) => startOf(event)?.timeZone).filter(Boolean));
    expect(zones).toContain('Europe/Berlin');
    expect(zones).toContain('America/New_York');
    const reminder = events.find((event) => event.summary?.startsWith('Reminder'));
    const minutes =
      (Date.parse(endOf(reminder ?? {})?.dateTime ?? '') -
        Date.parse(startOf(reminder ?? {})?.dateTime ?? '')) /
      60_000;
    expect(minutes).toBe(1); // DTSTART only: Google gets one minute
  });

  it('gets one more event from "Add an event to the feed"', () => {
    const changed = map(withAddedEvent(demoFeed(NOW), NOW));
    expect(changed.events.length).toBe(events.length + 1);
    expect(changed.events.some((event) => event.summary === 'Added at 10:00:00 UTC')).toBe(true);
  });
});

describe("the demo host's connect intents", () => {
  it('are accepted by the service for their feed, action and return page', async () => {
    const hostKey = { id: 'demo-host-1', key: randomBytes(32) };
    const keys = new StaticHostKeyRing(new Map([[hostKey.id, hostKey.key]]));
    const intent = mintIntent(hostKey, 'connect', DEMO_FEED_TOKEN, 'http://127.0.0.1:8787/', NOW);
    const binding = {
      action: 'connect' as const,
      feedToken: DEMO_FEED_TOKEN,
      returnTo: 'http://127.0.0.1:8787/',
    };
    await expect(verifyIntent(keys, intent, binding, NOW)).resolves.toMatchObject({ action: 'connect' });
    await expect(verifyIntent(keys, intent, { ...binding, action: 'disconnect' }, NOW)).rejects.toThrow(
      'intent_wrong_action',
    );
  });
});
