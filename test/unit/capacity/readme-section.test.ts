import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CapacityFile,
  capacitySectionOf,
  renderCapacitySection,
  SECTION_END,
  SECTION_START,
  withCapacitySection,
} from '../../../tools/capacity/render.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const committed = JSON.parse(readFileSync(join(root, 'docs', 'capacity.json'), 'utf8')) as CapacityFile;

describe("the README's capacity and cost section", () => {
  it('is what the renderer makes of the committed measurements (run `npm run capacity -- --render`)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(capacitySectionOf(readme)).toBe(renderCapacitySection(committed));
  });

  it('replaces the section between its markers and leaves the rest alone', () => {
    const readme = `# Title\n\n${SECTION_START}\nold\n${SECTION_END}\n\n## Next\n`;
    const updated = withCapacitySection(readme, `${SECTION_START}\nnew\n${SECTION_END}\n`);
    expect(updated).toBe(`# Title\n\n${SECTION_START}\nnew\n${SECTION_END}\n\n## Next\n`);
  });

  it('shows a different measurement differently (the comparison above can fail)', () => {
    const heavier: CapacityFile = {
      ...committed,
      operations: {
        ...committed.operations,
        unchangedCheck: { ...committed.operations.unchangedCheck, kmsCalls: 1 },
      },
    };
    expect(renderCapacitySection(heavier)).not.toBe(renderCapacitySection(committed));
  });
});
