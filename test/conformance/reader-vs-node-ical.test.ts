/**
 * The mapping reads ICS with its own lexical content-line reader (it must re-emit wall times, TZIDs and RRULE
 * text, which node-ical converts away). node-ical, the most used ICS parser on npm, is kept as an independent
 * second reader: on every corpus file it can read, our reader must find every VEVENT UID it finds, so the
 * lighter path never loses an event a mainstream parser sees.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ical from 'node-ical';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeFeedBytes } from '../../lambdas/shared/domain/feed-text.ts';
import { first, readComponents, unescapeText } from '../../lambdas/shared/domain/ics/content-lines.ts';
import { corpusNote, skipWithoutCorpus } from '../support/corpus-location.ts';
import { corpusFiles, corpusRoot } from './corpus.ts';

interface NodeIcalComponent {
  type?: string;
  uid?: unknown;
  recurrences?: Record<string, NodeIcalComponent>;
}

function nodeIcalUids(text: string): Set<string> | undefined {
  let data: Record<string, NodeIcalComponent>;
  try {
    data = ical.sync.parseICS(text) as unknown as Record<string, NodeIcalComponent>;
  } catch {
    return undefined; // node-ical refuses the whole file (e.g. a duplicate DTSTART): nothing to compare
  }
  const uids = new Set<string>();
  for (const component of Object.values(data)) {
    if (component?.type !== 'VEVENT') continue;
    for (const event of [component, ...Object.values(component.recurrences ?? {})]) {
      if (event.uid !== undefined) uids.add(String(event.uid));
    }
  }
  return uids;
}

function ourUids(text: string): Set<string> {
  const uids = new Set<string>();
  for (const calendar of readComponents(text).calendars) {
    for (const component of calendar.components) {
      const uid = component.name === 'VEVENT' ? first(component, 'UID') : undefined;
      if (uid) uids.add(unescapeText(uid.value));
    }
  }
  return uids;
}

describe.skipIf(skipWithoutCorpus)(`content-line reader against node-ical${corpusNote}`, () => {
  // node-ical reports unresolvable TZIDs on the console; they are not this test's subject.
  beforeAll(() => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterAll(() => vi.restoreAllMocks());

  const files = skipWithoutCorpus ? [] : corpusFiles();
  const compared: string[] = [];

  it.each(files)('%s: every UID node-ical reads is read', (file) => {
    const text = decodeFeedBytes(readFileSync(path.join(corpusRoot, file)));
    const theirs = nodeIcalUids(text);
    if (!theirs) return;
    compared.push(file);
    const ours = ourUids(text);
    expect([...theirs].filter((uid) => !ours.has(uid))).toEqual([]);
  });

  it('compares most of the corpus', () => {
    // node-ical throws on a handful of files (duplicate DTSTART, BYSETPOS=0, ...); the rest must be compared.
    expect(compared.length).toBeGreaterThanOrEqual(files.length - 10);
  });
});
