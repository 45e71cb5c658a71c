import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The corpus of real-world feeds the conformance tests read (never copied into the project): ICS_CORPUS_DIR
 * (absolute, or relative to the repository), by default `../shared/ics-corpus` beside the checkout.
 */
export const corpusRoot = path.resolve(
  repoRoot,
  process.env.ICS_CORPUS_DIR?.trim() || '../shared/ics-corpus',
);

/**
 * Where the corpus must be there: CI, and wherever REQUIRE_ICS_CORPUS=1 (`.ci/run` sets it), so the
 * conformance checks cannot silently stop running. There a missing corpus fails the tests.
 */
export const corpusRequired = Boolean(process.env.CI) || process.env.REQUIRE_ICS_CORPUS === '1';

/** A fresh clone elsewhere has no corpus: there the corpus tests skip, and their titles say why. */
export const skipWithoutCorpus = !existsSync(corpusRoot) && !corpusRequired;

/** Appended to the title of a corpus test or suite: the reason it is skipped, or nothing. */
export const corpusNote = skipWithoutCorpus
  ? ` (skipped: no ICS corpus at ${path.relative(repoRoot, corpusRoot) || '.'}; set ICS_CORPUS_DIR to a corpus folder to run them)`
  : '';

if (skipWithoutCorpus) process.stderr.write(`corpus tests${corpusNote}\n`);
