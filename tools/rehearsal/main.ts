/** `npm run rehearsal`: the deploy rehearsal on moto (docs/operating.md, "Deploy rehearsal"); one summary line at the end. */
import { motoAvailability } from '../moto-server.ts';
import { runRehearsal } from './rehearsal.ts';

const availability = motoAvailability();
if (!availability.available) {
  process.stderr.write(`rehearsal: ${availability.reason}\n`);
  process.exit(1);
}
const verbose = process.argv.includes('--verbose');
try {
  const result = await runRehearsal((line) => {
    if (verbose) process.stderr.write(`  ${line}\n`);
  });
  process.stdout.write(`${result.summary}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
