import { decodeFeedBytes } from '../../lambdas/shared/domain/feed-text.ts';
import { defaultHorizon, type MappingOptions, mapFeed } from '../../lambdas/shared/domain/ics/index.ts';
import { GENERATED_FEED_NOW, generateFeed } from '../../test/support/generate-feed.ts';
import { type Benchmark, medianSeconds } from '../benchmark.ts';

/**
 * parse_map_10k: decode and map a generated 10,000-event feed (a fifth recurring with exceptions, all-day
 * events, IANA, Windows and UTC zones, floating times). Generation is outside the timing; peak RSS is that
 * of one read-and-map in a fresh process.
 */
const options: MappingOptions = {
  salt: 'bench',
  horizon: defaultHorizon(GENERATED_FEED_NOW),
  defaultTimeZone: 'Europe/Berlin',
};
const feedBytes = () => new TextEncoder().encode(generateFeed({ events: 10_000 }));

const benchmarks: Benchmark[] = [
  {
    name: 'parse_map_10k',
    async run() {
      const bytes = feedBytes();
      let events = 0;
      const seconds = await medianSeconds(5, () => {
        events = mapFeed(decodeFeedBytes(bytes), options).events.length;
      });
      return { seconds, events };
    },
    async once() {
      mapFeed(decodeFeedBytes(feedBytes()), options);
    },
  },
];
export default benchmarks;
