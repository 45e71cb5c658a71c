import {
  defaultHorizon,
  FeedTooCostly,
  type MappingOptions,
  mapFeed,
} from '../../lambdas/shared/domain/ics/index.ts';
import { hostileFeeds } from '../../test/support/hostile-feeds.ts';
import { type Benchmark, medianSeconds } from '../benchmark.ts';

/**
 * hostile_feeds: maps each hostile shape (test/support/hostile-feeds.ts) at about 1 MB: a 3,000-observance
 * VTIMEZONE and one at the cap, never-matching rules from year 0001 and from 1900, many zones and the cap's
 * number of them, many components, deep nesting, VTIMEZONEs never closed. Each ends in FeedTooCostly or maps
 * within the budget; `seconds` is the worst shape's time (goal: at most 5 s), `<shape>` each one's, `refused`
 * how many ended in FeedTooCostly. Generation is outside the timing.
 */
const options: MappingOptions = {
  salt: 'bench',
  horizon: defaultHorizon(new Date('2026-03-01T00:00:00Z')),
  defaultTimeZone: 'Europe/Berlin',
};

const benchmarks: Benchmark[] = [
  {
    name: 'hostile_feeds',
    async run() {
      const figures: Record<string, number> = {};
      let worst = 0;
      let refused = 0;
      for (const [shape, text] of Object.entries(hostileFeeds(1024 * 1024))) {
        let costly = false;
        const seconds = await medianSeconds(1, () => {
          try {
            mapFeed(text, options);
          } catch (error) {
            if (!(error instanceof FeedTooCostly)) throw error;
            costly = true;
          }
        });
        if (costly) refused++;
        figures[shape] = seconds;
        worst = Math.max(worst, seconds);
      }
      return { seconds: worst, refused, ...figures };
    },
  },
];
export default benchmarks;
