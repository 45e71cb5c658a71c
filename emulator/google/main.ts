/**
 * Runs the Google emulator on its own: `npx tsx emulator/google/main.ts [port]` (or GOOGLE_EMULATOR_PORT).
 * GOOGLE_EMULATOR_CLIENT_ID / _CLIENT_SECRET / _REDIRECT_URIS (comma separated) register an OAuth client.
 */
import { startGoogleEmulator } from './index.ts';

const port = Number(process.argv[2] ?? process.env.GOOGLE_EMULATOR_PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`invalid port: ${process.argv[2] ?? process.env.GOOGLE_EMULATOR_PORT}\n`);
  process.exit(2);
}

const emulator = await startGoogleEmulator({ port });
const clientId = process.env.GOOGLE_EMULATOR_CLIENT_ID;
if (clientId) {
  emulator.control.registerClient({
    clientId,
    ...(process.env.GOOGLE_EMULATOR_CLIENT_SECRET
      ? { clientSecret: process.env.GOOGLE_EMULATOR_CLIENT_SECRET }
      : {}),
    redirectUris: (process.env.GOOGLE_EMULATOR_REDIRECT_URIS ?? '').split(',').filter(Boolean),
  });
}
process.stdout.write(`${emulator.baseUrl}\n`);

const stop = () => {
  emulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
