import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared corpus of real-world feeds, beside the checkout (never copied into the project). */
export const corpusRoot = path.resolve(repoRoot, '../shared/ics-corpus');

/**
 * A user's fresh clone has no shared corpus beside it: there the corpus tests skip, and their titles say why.
 * CI always has it, so under CI a missing corpus fails instead of skipping.
 */
export const skipWithoutCorpus = !existsSync(corpusRoot) && !process.env.CI;

/** Appended to the title of a corpus test or suite: the reason it is skipped, or nothing. */
export const corpusNote = skipWithoutCorpus
  ? ' (skipped: the shared ICS corpus is not beside this checkout, at ../shared/ics-corpus)'
  : '';

if (skipWithoutCorpus) process.stderr.write(`corpus tests${corpusNote}\n`);
