/**
 * Runs one corpus file through the mapping and the expansion, and compares the occurrences with the
 * reference expansion (`<name>.expected.json`). Shared by the conformance test and its score printout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateEvent, validateEventId } from '../../emulator/google/calendar/validation.ts';
import { expandEvents } from '../../lambdas/shared/domain/expansion/index.ts';
import { decodeFeedBytes } from '../../lambdas/shared/domain/feed-text.ts';
import type { EventDateTime } from '../../lambdas/shared/domain/google-event.ts';
import { mapFeed } from '../../lambdas/shared/domain/ics/index.ts';
import { corpusRoot } from '../support/corpus-location.ts';

export { corpusRoot } from '../support/corpus-location.ts';

/** The reference window: 2020-01-01T00:00Z to 2031-01-01T00:00Z. */
export const REFERENCE_WINDOW = {
  timeMin: new Date('2020-01-01T00:00:00Z'),
  timeMax: new Date('2031-01-01T00:00:00Z'),
};

interface ReferenceOccurrence {
  summary: string | null;
  start: string;
  end: string;
  kind: 'date' | 'utc' | 'zoned' | 'floating';
  status: string | null;
}

interface Reference {
  error: unknown;
  occurrences: ReferenceOccurrence[] | null;
}

/** Every .ics file of the corpus, relative to its root, sorted. */
export function corpusFiles(): string[] {
  const files: string[] = [];
  for (const dir of readdirSync(corpusRoot, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const name of readdirSync(path.join(corpusRoot, dir.name))) {
      if (name.endsWith('.ics')) files.push(`${dir.name}/${name}`);
    }
  }
  return files.sort();
}

/** Dates stay dates; times become instants (floating reference times read as UTC, as the reference does). */
function referenceKey(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const hasOffset = /(Z|[+-]\d{2}:\d{2})$/.test(value);
  return new Date(hasOffset ? value : `${value}Z`).toISOString();
}

function ourKey(value: EventDateTime): string {
  return 'date' in value ? value.date : new Date(value.dateTime).toISOString();
}

export interface FileResult {
  file: string;
  /** false when the reference could not expand the file (nothing to compare). */
  counted: boolean;
  matches: boolean;
  ours: number;
  expected: number;
  /** A few occurrences only one side has, for the failure message. */
  onlyOurs: string[];
  onlyExpected: string[];
  warnings: number;
}

export interface CheckOptions {
  /**
   * Reads the reference's zero-length timed occurrences (end == start) as the mapping writes them, ending
   * one minute after they start (Google refuses an empty range): to check that this is a file's only difference.
   */
  pointInTimeReference?: boolean;
}

/** The reference's end, or for a zero-length timed occurrence (with CheckOptions.pointInTimeReference) start + 1 min. */
function referenceEnd(o: ReferenceOccurrence, options: CheckOptions): string {
  const end = referenceKey(o.end);
  if (!options.pointInTimeReference || o.kind === 'date' || o.end !== o.start) return end;
  return new Date(Date.parse(end) + 60_000).toISOString();
}

export function checkFile(file: string, options: CheckOptions = {}): FileResult {
  // Decoded as the feed reader does (BOMs, non-UTF-8 bytes), but not refused: the mapper must cope with anything.
  const text = decodeFeedBytes(readFileSync(path.join(corpusRoot, file)));
  const reference = JSON.parse(
    readFileSync(path.join(corpusRoot, file.replace(/\.ics$/, '.expected.json')), 'utf8'),
  ) as Reference;
  const mapped = mapFeed(text, {
    salt: 'conformance',
    horizon: { from: REFERENCE_WINDOW.timeMin, to: REFERENCE_WINDOW.timeMax },
    defaultTimeZone: 'UTC',
  });
  // Every resource must pass Google's checks (as the emulator models them) before it is worth comparing.
  for (const event of mapped.events) {
    if (event.id !== undefined) validateEventId(event.id);
    validateEvent(event as unknown as Record<string, unknown>, 'UTC');
  }
  const occurrences = expandEvents(mapped.events, REFERENCE_WINDOW, { maxOccurrences: 50_000 });
  const ours = occurrences.map((o) => `${ourKey(o.start)} | ${ourKey(o.end)} | ${o.event.summary ?? ''}`);
  const result: FileResult = {
    file,
    counted: reference.occurrences !== null,
    matches: true,
    ours: ours.length,
    expected: 0,
    onlyOurs: [],
    onlyExpected: [],
    warnings: mapped.warnings.length,
  };
  if (reference.occurrences === null) return result;
  const expected = reference.occurrences
    .filter((o) => o.status?.toUpperCase() !== 'CANCELLED')
    .map((o) => `${referenceKey(o.start)} | ${referenceEnd(o, options)} | ${o.summary ?? ''}`);
  result.expected = expected.length;
  const remaining = new Map<string, number>();
  for (const key of expected) remaining.set(key, (remaining.get(key) ?? 0) + 1);
  for (const key of ours) {
    const left = remaining.get(key) ?? 0;
    if (left > 0) remaining.set(key, left - 1);
    else result.onlyOurs.push(key);
  }
  for (const [key, left] of remaining) for (let i = 0; i < left; i++) result.onlyExpected.push(key);
  result.matches = result.onlyOurs.length === 0 && result.onlyExpected.length === 0;
  result.onlyOurs = result.onlyOurs.slice(0, 5);
  result.onlyExpected = result.onlyExpected.slice(0, 5);
  return result;
}
