import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../support/clock.ts';
import { neverMatchingRulesFeed } from '../../support/hostile-feeds.ts';
import { World } from './world.ts';

/**
 * A mapping cut by its time limit (not by a cap or its work units) says nothing certain about the text: a busy
 * machine may have caused it. Such a feed is read again next time, not remembered as too costly.
 */
describe('a mapping that runs out of time', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => world.close());

  it('ends as a feed error and is read again on the next sync', async () => {
    const sub = world.subscriber();
    // Rules that never match, from year 1: thousands of units of work, yet well within the caps.
    sub.feed.set(neverMatchingRulesFeed(300_000));
    // Every reading of the clock moves it a minute on: the mapping's first look at it finds its time gone.
    const slow = new ManualClock(sub.clock.now());
    slow.tickMs = 60_000;
    const cut = await sub.sync({ timeBudgetMs: 5 * 60_000 }, { clock: slow });
    expect(cut).toMatchObject({ outcome: 'feed_error' });
    expect(cut.errors.join()).toMatch(/takes more than/);

    const next = await sub.sync();
    expect(next.outcome).not.toBe('feed_error');
  });
});
