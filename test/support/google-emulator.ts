/** Starts the Google emulator with a registered OAuth client and a user holding tokens: the usual test setup. */
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import {
  type EmulatorOverrides,
  type EmulatorUser,
  type GoogleEmulator,
  type RegisteredClient,
  SCOPES,
  startGoogleEmulator,
  type TokenResponse,
} from '../../emulator/google/index.ts';

export const REDIRECT_URI = 'http://127.0.0.1:8788/api/google-oauth/callback';

export interface EmulatorFixture {
  google: GoogleEmulator;
  client: RegisteredClient;
  user: EmulatorUser;
  tokens: TokenResponse;
  /** An OAuth2Client for `client`, pointed at the emulator, holding `tokens`. */
  auth: OAuth2Client;
  /** The official Calendar client as `user`; `retry: false` by default so every call is one request. */
  api: calendar_v3.Calendar;
  close(): Promise<void>;
}

export function oauthClientFor(google: GoogleEmulator, client: RegisteredClient): OAuth2Client {
  const { oauth2AuthBaseUrl, oauth2TokenUrl, oauth2RevokeUrl, tokenInfoUrl } = google.endpoints;
  return new OAuth2Client({
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    redirectUri: client.redirectUris[0] as string,
    endpoints: { oauth2AuthBaseUrl, oauth2TokenUrl, oauth2RevokeUrl, tokenInfoUrl },
  });
}

export function calendarApiFor(
  google: GoogleEmulator,
  auth: OAuth2Client,
  options: { retry?: boolean } = {},
): calendar_v3.Calendar {
  return calendar({
    version: 'v3',
    auth,
    rootUrl: google.endpoints.calendarRootUrl,
    retry: options.retry ?? false,
  });
}

/** A calendar client authorised for a user, with tokens minted directly (no browser). */
export function authorisedApi(
  google: GoogleEmulator,
  client: RegisteredClient,
  user: EmulatorUser,
  scopes: string[] = [SCOPES.appCreated],
): { api: calendar_v3.Calendar; auth: OAuth2Client; tokens: TokenResponse } {
  const tokens = google.control.mintTokens({
    user: user.email,
    clientId: client.clientId,
    scopes,
    offline: true,
  });
  const auth = oauthClientFor(google, client);
  auth.setCredentials({
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token ?? null,
    expiry_date: Date.now() + tokens.expires_in * 1000,
  });
  return { api: calendarApiFor(google, auth), auth, tokens };
}

export async function startEmulatorWithUser(
  options: { overrides?: EmulatorOverrides; scopes?: string[]; email?: string } = {},
): Promise<EmulatorFixture> {
  const google = await startGoogleEmulator(options.overrides);
  const client = google.control.registerClient({ redirectUris: [REDIRECT_URI] });
  const user = google.control.createUser({ email: options.email ?? 'subscriber@example.com' });
  const { api, auth, tokens } = authorisedApi(google, client, user, options.scopes);
  return { google, client, user, tokens, auth, api, close: () => google.close() };
}

/** Creates a secondary calendar through the API and returns its id. */
export async function createCalendar(api: calendar_v3.Calendar, summary = 'ICS feed'): Promise<string> {
  const { data } = await api.calendars.insert({ requestBody: { summary, timeZone: 'Europe/Berlin' } });
  return data.id as string;
}

/** The HTTP status and Google reason of a failed call (undefined when the call succeeded). */
export async function googleError(
  call: Promise<unknown>,
): Promise<{ status: number; reason?: string } | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    const failure = error as { status?: number; response?: { status?: number; data?: unknown } };
    const data = failure.response?.data as
      | { error?: { errors?: { reason?: string }[] } | string }
      | undefined;
    const reason = typeof data?.error === 'string' ? data.error : data?.error?.errors?.[0]?.reason;
    return { status: failure.response?.status ?? failure.status ?? 0, ...(reason ? { reason } : {}) };
  }
}

// The consent page, driven like a browser: fetch the page, fill the form, read the redirect (not followed).
export interface ConsentChoices {
  decision?: 'allow' | 'deny';
  email?: string;
  /** Scopes to leave ticked (default: whatever the page ticked). */
  scopes?: string[];
}

export interface ConsentPage {
  status: number;
  html: string;
  requestId?: string;
  scopes: { value: string; checked: boolean }[];
}

export async function openConsentPage(authUrl: string): Promise<ConsentPage> {
  const response = await fetch(authUrl, { redirect: 'manual' });
  const html = await response.text();
  const requestId = /name="request" value="([^"]+)"/.exec(html)?.[1];
  const scopes = [...html.matchAll(/<input type="checkbox" name="scope" value="([^"]+)"( checked)?>/g)].map(
    (match) => ({ value: match[1] as string, checked: Boolean(match[2]) }),
  );
  return { status: response.status, html, ...(requestId ? { requestId } : {}), scopes };
}

/** Submits the form; returns the redirect target (the app's redirect_uri with code/state or error). */
export async function submitConsent(authUrl: string, choices: ConsentChoices = {}): Promise<URL> {
  const page = await openConsentPage(authUrl);
  if (!page.requestId) throw new Error(`no consent form (HTTP ${page.status}): ${page.html.slice(0, 300)}`);
  const form = new URLSearchParams({ request: page.requestId, decision: choices.decision ?? 'allow' });
  form.set('email', choices.email ?? '');
  const ticked = choices.scopes ?? page.scopes.filter((scope) => scope.checked).map((scope) => scope.value);
  for (const scope of ticked) form.append('scope', scope);
  const action = new URL('/o/oauth2/v2/auth/consent', authUrl);
  const response = await fetch(action, { method: 'POST', body: form, redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`consent answered HTTP ${response.status}`);
  return new URL(location);
}
