/**
 * `npm run dev`: the whole service on this machine, on embedded defaults (see README, "Quick start").
 * Reads `.env` when present (the environment wins), prints what it serves, and stops on Ctrl-C.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../lambdas/shared/wiring/config-parts.ts';
import { DEMO_FEED_TOKEN } from './demo-host/demo-feed.ts';
import { withEnvFile } from './env-file.ts';
import { PortInUseError } from './listen.ts';
import { type DevService, startDevService } from './service.ts';
import { DevSettingsError, parseDevSettings } from './settings.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  let service: DevService;
  try {
    const env = withEnvFile(path.join(repoRoot, '.env'), process.env);
    const settings = parseDevSettings(env, process.argv.slice(2), repoRoot);
    service = await startDevService(settings);
  } catch (error) {
    if (
      error instanceof DevSettingsError ||
      error instanceof PortInUseError ||
      error instanceof ConfigError
    ) {
      process.stderr.write(`npm run dev: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  banner(service);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`\n${signal} again: stopping at once.\n`);
      process.exit(130);
    }
    stopping = true;
    out('\nStopping (the local database stays in the data folder)...');
    const deadline = setTimeout(() => {
      process.stderr.write('A sync is still running: stopped without waiting for it.\n');
      process.exit(0);
    }, 10_000);
    deadline.unref();
    service.close().then(
      () => {
        out('Stopped.');
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('Ctrl-C'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return 0;
}

function banner(service: DevService): void {
  const relativeData = path.relative(repoRoot, service.dataDir) || '.';
  const rows: [string, string][] = [
    ['Subscription page', `${service.baseUrl}/`],
    ...(service.emulatorUrl
      ? ([['Emulated Google', `${service.emulatorUrl}  (its users, calendars and events)`]] as [
          string,
          string,
        ][])
      : []),
    ['API', `${service.baseUrl}/api/google-oauth/... and /api/google-sync`],
    ['Demo feed', `${service.baseUrl}/demo/feeds/${DEMO_FEED_TOKEN}.ics  (PUT a new one to change it)`],
    ['Data', `${relativeData}/  (start over with: npm run dev -- --fresh)`],
  ];
  out();
  out(
    service.mode === 'emulator'
      ? 'ICS -> Google Calendar sync, running locally against the Google emulator'
      : 'ICS -> Google Calendar sync, running locally against real Google',
  );
  out();
  for (const [name, value] of rows) out(`  ${name.padEnd(18)} ${value}`);
  out();
  if (service.mode === 'google') {
    out('Register this redirect URI with your Google OAuth client (type "Web application"):');
    out(`  ${service.redirectUri}`);
    out();
  } else {
    out('The emulated Google keeps its calendars in memory: a connection from an earlier run asks to be');
    out('connected again.');
    out();
  }
  out(`Open ${service.baseUrl}/ and press "Connect Google Calendar". Ctrl-C stops.`);
  out();
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`npm run dev failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
