import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { icsFeed } from './ics.ts';
import { World } from './world.ts';

/**
 * Google's listings may answer a page shorter than asked, or empty, with a token for more ("may be less than
 * maxResults, or none at all, even if there are more events", events.list reference). The emulator is set to
 * pages of one event at most, so every listing the engine makes is spread over several pages.
 */
describe('listings answered in short and empty pages', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start({ paging: { shortPages: true, maxPageSize: 1 } });
  });
  afterAll(async () => world.close());

  it('finds the instance an all-day exception is written over, whichever page it comes on', async () => {
    const sub = world.subscriber();
    const series = {
      uid: 'daily-all-day@example.com',
      summary: 'Holiday camp',
      start: '20260310',
      end: '20260311',
      rrule: 'FREQ=DAILY;COUNT=10',
    };
    sub.feed.set(
      icsFeed([series, { ...series, rrule: undefined, recurrenceId: '20260312', summary: 'Trip day' }]),
    );
    const result = await sub.sync();
    expect(result).toMatchObject({ outcome: 'synced', errors: [] });
    expect(result.warnings ?? []).toEqual([]);
    const instance = sub
      .stored()
      .find(
        (event) =>
          event.recurringEventId !== undefined &&
          (event.originalStartTime as { date?: string } | undefined)?.date === '2026-03-12',
      );
    expect(instance?.summary).toBe('Trip day');
  });
});
