import path from 'node:path';

/** What `npm run dev` is told by its environment (and `.env`); everything has a default. */
export interface DevSettings {
  /** API and pages: http://127.0.0.1:PORT (0: any free port, for tests). */
  port: number;
  /** The Google emulator, when it runs (0: any free port). */
  emulatorPort: number;
  /** Local database, demo feeds and generated secrets (absolute). */
  dataDir: string;
  /** Real Google when both credentials are set, else the emulator. */
  google: { mode: 'emulator' } | { mode: 'google'; clientId: string; clientSecret: string };
  /** Start with an empty database and fresh demo feeds (`--fresh`). */
  fresh: boolean;
  /** The whole environment, handed on to the service (its own variables pass through). */
  env: NodeJS.ProcessEnv;
}

const DEFAULT_PORT = 8787;
const DEFAULT_EMULATOR_PORT = 8788;
export const DEFAULT_DATA_DIR = '.data';

export class DevSettingsError extends Error {
  override readonly name = 'DevSettingsError';
  constructor(readonly problems: string[]) {
    super(`the local run's settings are not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads the settings; throws DevSettingsError naming every bad variable (never a value). */
export function parseDevSettings(env: NodeJS.ProcessEnv, argv: string[], repoRoot: string): DevSettings {
  const problems: string[] = [];
  const port = portOf(env, 'PORT', DEFAULT_PORT, problems);
  const emulatorPort = portOf(env, 'GOOGLE_EMULATOR_PORT', DEFAULT_EMULATOR_PORT, problems);
  if (port !== 0 && port === emulatorPort) problems.push('GOOGLE_EMULATOR_PORT: must differ from PORT');
  const clientId = env.GOOGLE_CLIENT_ID?.trim();
  const clientSecret = env.GOOGLE_CLIENT_SECRET?.trim();
  if (Boolean(clientId) !== Boolean(clientSecret)) {
    problems.push(
      'GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET: set both to use real Google, or neither to use the emulator',
    );
  }
  const unknown = argv.filter((arg) => arg !== '--fresh');
  if (unknown.length > 0) problems.push(`unknown argument ${unknown[0]} (the only one is --fresh)`);
  if (problems.length > 0) throw new DevSettingsError(problems);
  return {
    port,
    emulatorPort,
    dataDir: path.resolve(repoRoot, env.DEV_DATA_DIR?.trim() || DEFAULT_DATA_DIR),
    google: clientId && clientSecret ? { mode: 'google', clientId, clientSecret } : { mode: 'emulator' },
    fresh: argv.includes('--fresh'),
    env,
  };
}

function portOf(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    problems.push(`${name}: must be a port number (1-65535)`);
    return fallback;
  }
  return port;
}
