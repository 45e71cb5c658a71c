import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * The variables of a `.env` file (KEY=value lines, `#` comments, quotes as in shell), under what the
 * environment already holds: a variable set in the shell wins over the file. No file, no change.
 */
export function withEnvFile(file: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!existsSync(file)) return env;
  const fromFile = parseEnv(readFileSync(file, 'utf8'));
  return { ...fromFile, ...env };
}
