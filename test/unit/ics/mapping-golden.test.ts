/**
 * The mapping's output on the project's fixture feeds (./golden/feeds/, every field and shape the mapping
 * writes), hashed and kept in ./golden/mapping.json with the MAPPING_VERSION it was made for. A sync maps a feed
 * again only when its text or MAPPING_VERSION changes, so output that changes without a bump would leave every
 * calendar as the old mapping wrote it: this test fails then. After a bump the golden is regenerated with
 * `UPDATE_GOLDEN=1 npm test -- mapping-golden`, which refuses to overwrite a golden of the same version.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GoogleEvent } from '../../../lambdas/shared/domain/google-event.ts';
import { MAPPING_VERSION, type MappedFeed } from '../../../lambdas/shared/domain/ics/index.ts';
import { EVENT_FIELDS } from '../../../lambdas/shared/domain/reconcile/owned-fields.ts';
import { map } from './helpers.ts';

const GOLDEN_DIR = path.join(import.meta.dirname, 'golden');
const FEEDS_DIR = path.join(GOLDEN_DIR, 'feeds');
const GOLDEN_FILE = path.join(GOLDEN_DIR, 'mapping.json');
const REGENERATE = 'UPDATE_GOLDEN=1 npm test -- mapping-golden';

interface Golden {
  mappingVersion: string;
  /** Fixture file name -> SHA-256 of its mapped events and skipped UIDs. */
  feeds: Record<string, string>;
}

const fixtureNames = readdirSync(FEEDS_DIR)
  .filter((name) => name.endsWith('.ics'))
  .sort();
const mapped = new Map<string, MappedFeed>(
  fixtureNames.map((name) => [name, map(readFileSync(path.join(FEEDS_DIR, name), 'utf8'))]),
);

/** What a sync writes and keeps from a feed (warnings are reported, never written, so they do not count). */
const hashOf = (feed: MappedFeed): string =>
  createHash('sha256')
    .update(JSON.stringify({ events: feed.events, skippedUids: feed.skippedUids ?? [] }))
    .digest('hex');

const current: Golden = {
  mappingVersion: MAPPING_VERSION,
  feeds: Object.fromEntries([...mapped].map(([name, feed]) => [name, hashOf(feed)])),
};

const readGolden = (): Golden => JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Golden;

/** Fixtures whose output differs from the golden's (added and removed fixtures too). */
function changedFeeds(golden: Golden): string[] {
  const names = new Set([...Object.keys(golden.feeds), ...Object.keys(current.feeds)]);
  return [...names].filter((name) => golden.feeds[name] !== current.feeds[name]).sort();
}

describe('the mapping golden', () => {
  it('matches the mapping output, or MAPPING_VERSION was bumped', () => {
    if (process.env.UPDATE_GOLDEN === '1') {
      let previous: Golden | undefined;
      try {
        previous = readGolden();
      } catch {
        previous = undefined;
      }
      if (previous?.mappingVersion === MAPPING_VERSION && changedFeeds(previous).length > 0)
        throw new Error(
          `the mapping's output changed (${changedFeeds(previous).join(', ')}) but MAPPING_VERSION is still ` +
            `${MAPPING_VERSION}: bump it (lambdas/shared/domain/ics/mapping-version.ts) before regenerating`,
        );
      writeFileSync(GOLDEN_FILE, `${JSON.stringify(current, null, 2)}\n`);
      return;
    }
    const golden = readGolden();
    const changed = changedFeeds(golden);
    if (golden.mappingVersion === MAPPING_VERSION) {
      expect(
        changed,
        `the mapping's output changed: bump MAPPING_VERSION and regenerate the golden (${REGENERATE})`,
      ).toEqual([]);
    } else {
      expect.fail(
        `MAPPING_VERSION is ${MAPPING_VERSION}, the golden was made for ${golden.mappingVersion}: ` +
          `regenerate the golden (${REGENERATE})`,
      );
    }
  });

  it('covers every field of the event and the shapes the fixtures are there for', () => {
    const events = [...mapped.values()].flatMap((feed) => feed.events);
    const written = new Set(events.flatMap((event) => Object.keys(event)));
    // Every field the mapping writes is classified, and the fixtures make every classified field appear.
    expect([...written].sort()).toEqual(Object.keys(EVENT_FIELDS).sort());
    const has = (test: (event: GoogleEvent) => boolean) => events.some(test);
    expect(has((event) => 'date' in event.start)).toBe(true);
    expect(has((event) => 'dateTime' in event.start && event.start.timeZone !== undefined)).toBe(true);
    expect(has((event) => event.status === 'cancelled')).toBe(true);
    expect(has((event) => event.extendedProperties.private.icsRecurrenceId !== undefined)).toBe(true);
    expect(has((event) => event.extendedProperties.private.icsSplitFrom !== undefined)).toBe(true);
    expect([...mapped.values()].some((feed) => (feed.skippedUids ?? []).length > 0)).toBe(true);
  });
});
