/**
 * Where the live suite runs: real Google with an operator's test account, or the project's emulator.
 *
 * A target gives only base URLs, an access token (from the OAuth token endpoint, the same refresh_token grant
 * on both) and, on the emulator alone, its control surface (acting as the user in the Calendar UI, purging
 * deleted events...). Everything Google itself answers goes over plain HTTP, never through the product's adapters
 * or the emulator's internals: the suite is an oracle of Google's behaviour and must not reuse what it checks.
 */
import { startEmulatorWithUser } from '../support/google-emulator.ts';

export const GOOGLE_LIVE_VARIABLES = [
  'GOOGLE_LIVE_CLIENT_ID',
  'GOOGLE_LIVE_CLIENT_SECRET',
  'GOOGLE_LIVE_REFRESH_TOKEN',
] as const;

// Google's own hosts, written here rather than imported from the product so the suite does not share its code.
const GOOGLE_CALENDAR_API = 'https://www.googleapis.com/calendar/v3';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export type TargetChoice =
  | { kind: 'google'; clientId: string; clientSecret: string; refreshToken: string }
  | { kind: 'emulator' }
  | { kind: 'skip'; reason: string };

/**
 * `GOOGLE_LIVE=1` (set by `npm run test:google-live`) asks for real Google, which needs the three credentials;
 * without them the suite is skipped with the reason. Anything else (`npm test`, CI) runs on the emulator, so CI
 * never reaches Google even where the credentials happen to be set.
 */
export function chooseTarget(env: NodeJS.ProcessEnv = process.env): TargetChoice {
  if (env.GOOGLE_LIVE !== '1') return { kind: 'emulator' };
  const missing = GOOGLE_LIVE_VARIABLES.filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    return {
      kind: 'skip',
      reason: `no Google test account: set ${missing.join(', ')} (see "Checking the emulator against real Google" in README.md)`,
    };
  }
  return {
    kind: 'google',
    clientId: (env.GOOGLE_LIVE_CLIENT_ID as string).trim(),
    clientSecret: (env.GOOGLE_LIVE_CLIENT_SECRET as string).trim(),
    refreshToken: (env.GOOGLE_LIVE_REFRESH_TOKEN as string).trim(),
  };
}

export interface LiveTarget {
  label: 'google' | 'emulator';
  /** Calendar API v3 root, e.g. `https://www.googleapis.com/calendar/v3` (no trailing slash). */
  calendarApiUrl: string;
  /** A fresh access token from the token endpoint (refresh_token grant). */
  accessToken(): Promise<string>;
  /**
   * The emulator's control surface over its HTTP mirror (`POST /__emulator/<method>`); absent on real Google,
   * which has no way to act as the user in the Calendar UI or to force a purge.
   */
  control?: (method: string, argument?: unknown) => Promise<unknown>;
  close(): Promise<void>;
}

interface RefreshGrant {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

async function refreshAccessToken(grant: RefreshGrant): Promise<string> {
  const response = await fetch(grant.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: grant.clientId,
      client_secret: grant.clientSecret,
      refresh_token: grant.refreshToken,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string };
  // The error code only: the answer of a failed grant is never echoed, nor the credentials sent.
  if (!response.ok || !body.access_token)
    throw new Error(`token endpoint answered ${response.status} ${body.error ?? ''}`.trim());
  return body.access_token;
}

export async function openTarget(choice: Exclude<TargetChoice, { kind: 'skip' }>): Promise<LiveTarget> {
  if (choice.kind === 'google') {
    return {
      label: 'google',
      calendarApiUrl: GOOGLE_CALENDAR_API,
      accessToken: () => refreshAccessToken({ tokenUrl: GOOGLE_TOKEN_URL, ...choice }),
      close: async () => {},
    };
  }
  // The emulator's test account holds an offline grant to calendar.app.created, as the operator's does.
  const fixture = await startEmulatorWithUser();
  const base = fixture.google.baseUrl;
  const refreshToken = fixture.tokens.refresh_token;
  if (!refreshToken) throw new Error('the emulator issued no refresh token');
  return {
    label: 'emulator',
    calendarApiUrl: `${base}calendar/v3`,
    accessToken: () =>
      refreshAccessToken({
        tokenUrl: `${base}token`,
        clientId: fixture.client.clientId,
        clientSecret: fixture.client.clientSecret,
        refreshToken,
      }),
    control: async (method, argument) => {
      const response = await fetch(`${base}__emulator/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: argument === undefined ? '' : JSON.stringify(argument),
      });
      const body = (await response.json()) as { error?: string };
      if (!response.ok) throw new Error(`control ${method} answered ${response.status}: ${body.error ?? ''}`);
      return body;
    },
    close: () => fixture.close(),
  };
}
