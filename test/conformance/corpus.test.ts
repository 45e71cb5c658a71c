/**
 * Conformance on real feeds: every corpus file goes through mapFeed and the expansion Google does; the
 * occurrences (start, end, summary) in the reference window must equal the reference's, bar the listed
 * known differences. No file may crash the reader or the mapper, also those the reference cannot read.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusNote, skipWithoutCorpus } from '../support/corpus-location.ts';
import { checkFile, corpusFiles, corpusRoot, type FileResult } from './corpus.ts';
import { KNOWN_DIFFERENCES, POINT_IN_TIME } from './known-differences.ts';

describe.skipIf(skipWithoutCorpus)(`ICS corpus conformance${corpusNote}`, () => {
  it('finds the corpus', () => {
    expect(existsSync(corpusRoot), `corpus expected at ${corpusRoot}`).toBe(true);
    expect(corpusFiles().length).toBeGreaterThanOrEqual(118);
  });

  it('maps every file without a crash and matches the reference, bar the known differences', () => {
    const results: FileResult[] = corpusFiles().map((file) => checkFile(file));
    const counted = results.filter((r) => r.counted);
    const matching = counted.filter((r) => r.matches);
    const unexpected = counted.filter((r) => !r.matches && !(r.file in KNOWN_DIFFERENCES));
    const stale = Object.keys(KNOWN_DIFFERENCES).filter((file) => {
      const result = results.find((r) => r.file === file);
      return !result?.counted || result.matches;
    });
    const known = counted.length - matching.length - unexpected.length;
    console.log(
      `conformance: ${matching.length}/${counted.length} match, ${known} known differences, ${unexpected.length} unexpected ` +
        `(${results.length - counted.length} files the reference cannot read: mapped without a crash)`,
    );
    expect(
      unexpected.map((r) => ({ file: r.file, ours: r.onlyOurs, reference: r.onlyExpected })),
      'files that differ from the reference without a listed reason',
    ).toEqual([]);
    expect(stale, 'listed known differences that no longer differ (remove them from the list)').toEqual([]);
  });

  it('differs only by the point-in-time span where that is the only listed reason', () => {
    const files = Object.entries(KNOWN_DIFFERENCES)
      .filter(([, reason]) => reason === POINT_IN_TIME)
      .map(([file]) => file);
    expect(files.length).toBeGreaterThan(0);
    const other = files
      .map((file) => checkFile(file, { pointInTimeReference: true }))
      .filter((r) => !r.matches)
      .map((r) => ({ file: r.file, ours: r.onlyOurs, reference: r.onlyExpected }));
    expect(other, 'differences beyond the one-minute span of zero-length events').toEqual([]);
  });
});
