/**
 * `npm run capacity`: measures what each operation costs (bench/suites/cost-model.ts), writes the counts to
 * docs/capacity.json and regenerates the README's "Capacity and cost" section from them.
 * `npm run capacity -- --render` only regenerates the section from the committed counts (after changing an
 * assumption, a price or a limit).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { costFigures, measureAll } from '../../bench/suites/cost-model.ts';
import { type CapacityFile, renderCapacitySection, withCapacitySection } from './render.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CAPACITY_FILE = join(root, 'docs', 'capacity.json');
const README = join(root, 'README.md');

async function main(): Promise<void> {
  let file: CapacityFile;
  if (process.argv.includes('--render')) {
    file = JSON.parse(readFileSync(CAPACITY_FILE, 'utf8')) as CapacityFile;
  } else {
    const measured = await measureAll();
    file = { measuredOn: new Date().toISOString().slice(0, 10), ...measured };
    writeFileSync(CAPACITY_FILE, `${JSON.stringify(file, null, 2)}\n`);
    process.stderr.write('wrote docs/capacity.json\n');
  }
  writeFileSync(README, withCapacitySection(readFileSync(README, 'utf8'), renderCapacitySection(file)));
  process.stderr.write('regenerated the "Capacity and cost" section of README.md\n');
  process.stdout.write(`${JSON.stringify(costFigures(file.operations))}\n`);
}

await main();
