/** `npm run ops -- <command>`: see cli.ts, and docs/operating.md, "Operating". */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withEnvFile } from '../../dev/env-file.ts';
import { runOps, terminalAsk } from './cli.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ask = terminalAsk();

runOps(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  ...(ask ? { ask } : {}),
  env: withEnvFile(path.join(repoRoot, '.env'), process.env),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ops failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
