/** The project's Google emulator: OAuth 2.0 and Calendar API v3 over real HTTP (see README.md). */
export { SCOPES } from './oauth/scopes.ts';
export type { EmulatorOverrides } from './options.ts';
export { startGoogleEmulator } from './server.ts';
export type {
  EmulatorState,
  EmulatorUser,
  GoogleEmulator,
  RegisteredClient,
  TokenResponse,
} from './types.ts';
