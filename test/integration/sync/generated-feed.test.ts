import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFeed } from '../../support/generate-feed.ts';
import { World } from './world.ts';

/**
 * Every shape the feed generator makes (series with moved and cancelled instances and EXDATEs, all-day events
 * longer than their interval, IANA, Windows, UTC and floating zones) synced into the emulator, whose recurrence
 * expansion is independent of the product's: Google must then show what the feed says, and an edit of every
 * event must converge too.
 */
describe('a generated feed against the Google emulator', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start({ quotas: { perUserPerWindow: 1_000_000, perProjectPerWindow: 1_000_000 } });
  });
  afterAll(async () => world.close());

  it('converges on a first sync and after every event changed', async () => {
    const sub = world.subscriber();
    const unpaced = { pacing: { unitsPerWindow: 1_000_000, windowMs: 60_000, burst: 1_000 }, concurrency: 8 };
    const text = generateFeed({ events: 300, recurringShare: 0.5 });
    sub.feed.set(text);
    const first = await sub.sync(unpaced);
    expect(first).toMatchObject({ outcome: 'synced', errors: [] });
    expect(first.warnings ?? []).toEqual([]);
    await sub.expectConverged(text);

    const edited = text.replace(/\r\nSUMMARY:([^\r\n]*)/g, '\r\nSUMMARY:$1 (edited)');
    sub.feed.set(edited);
    const second = await sub.sync(unpaced);
    expect(second).toMatchObject({ outcome: 'synced', errors: [], created: 0, deleted: 0 });
    expect(second.warnings ?? []).toEqual([]);
    await sub.expectConverged(edited);
    expect(await sub.sync(unpaced)).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
    // Hundreds of emulator round trips: about 25 s alone on 2 cores, so the default 30 s is too tight in a full run.
  }, 120_000);
});
