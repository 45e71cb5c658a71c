import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS } from '../../../tools/capacity/assumptions.ts';
import { limitsAtOneMillion } from '../../../tools/capacity/limits.ts';
import type { CapacityFile } from '../../../tools/capacity/render.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const committed = JSON.parse(readFileSync(join(root, 'docs', 'capacity.json'), 'utf8')) as CapacityFile;

/** The rows whose load is over their limit: what a moved constant would bring about. */
const broken = (file: CapacityFile, assumptions = ASSUMPTIONS) =>
  limitsAtOneMillion(file.operations, assumptions)
    .rows.filter((row) => row.kind === 'must-hold' && !(row.load <= row.value))
    .map((row) => `${row.limit}: ${row.load} > ${row.value} ${row.unit}`);

describe('limits at 1,000,000 subscribers', () => {
  it('every limit of the code and the platform holds the load of 1,000,000 subscribers', () => {
    expect(broken(committed)).toEqual([]);
  });

  it('the Google project quota is met by what the README says to ask for', () => {
    const { rows, quotaToAsk } = limitsAtOneMillion(committed.operations, ASSUMPTIONS);
    const project = rows.find((row) => row.kind === 'ask');
    expect(project?.load).toBeLessThanOrEqual(quotaToAsk);
  });

  it('names the limit that a heavier load breaks', () => {
    // Feeds changing every minute spend more Google units a day than one subscriber's budget allows.
    expect(broken(committed, { ...ASSUMPTIONS, feedChangesPerDay: 1_440 * 10 })).toContainEqual(
      expect.stringMatching(/^daily unit budget per subscriber/),
    );
    // A check as slow as a whole feed round trip needs more check invocations than the stack allows.
    const slowChecks: CapacityFile = {
      ...committed,
      operations: {
        ...committed.operations,
        unchangedCheck: { ...committed.operations.unchangedCheck, lambdaMs: 150 },
      },
    };
    expect(broken(slowChecks)).toContainEqual(expect.stringMatching(/^check function concurrency/));
  });
});
