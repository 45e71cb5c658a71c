import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type EmulatorUser,
  type GoogleEmulator,
  type RegisteredClient,
  SCOPES,
  startGoogleEmulator,
} from '../../../emulator/google/index.ts';
import {
  calendarApiFor,
  googleError,
  oauthClientFor,
  openConsentPage,
  REDIRECT_URI,
  submitConsent,
} from '../../support/google-emulator.ts';

const EMAIL = 'ada@example.com';

describe('Google emulator: OAuth 2.0', () => {
  let google: GoogleEmulator;
  let client: RegisteredClient;
  let user: EmulatorUser;
  let oauth: OAuth2Client;
  let clock: number;

  beforeEach(async () => {
    clock = Date.parse('2026-03-01T10:00:00Z');
    google = await startGoogleEmulator({ now: () => clock });
    client = google.control.registerClient({ redirectUris: [REDIRECT_URI] });
    user = google.control.createUser({ email: EMAIL });
    oauth = oauthClientFor(google, client);
  });
  afterEach(() => google.close());

  async function authUrl(extra: Record<string, unknown> = {}) {
    const { codeVerifier, codeChallenge } = await oauth.generateCodeVerifierAsync();
    const url = oauth.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: true,
      scope: [SCOPES.appCreated],
      state: 'state-123',
      code_challenge: codeChallenge as string,
      code_challenge_method: CodeChallengeMethod.S256,
      ...extra,
    });
    return { url, codeVerifier };
  }

  it('runs the whole web-server flow through the consent form: code, state, tokens, calendar access', async () => {
    const { url, codeVerifier } = await authUrl();
    const page = await openConsentPage(url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Allow');
    expect(page.scopes).toEqual([{ value: SCOPES.appCreated, checked: true }]);

    const callback = await submitConsent(url, { email: EMAIL });
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe('state-123');
    const code = callback.searchParams.get('code') as string;
    expect(code).toBeTruthy();

    const { tokens } = await oauth.getToken({ code, codeVerifier });
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope).toBe(SCOPES.appCreated);
    expect(tokens.token_type).toBe('Bearer');
    expect((tokens.expiry_date as number) - Date.now()).toBeGreaterThan(3500_000);

    oauth.setCredentials(tokens);
    const api = calendarApiFor(google, oauth);
    const { data } = await api.calendars.insert({ requestBody: { summary: 'Feed' } });
    expect(data.id).toMatch(/@group\.calendar\.google\.com$/);

    const info = await oauth.getTokenInfo(tokens.access_token as string);
    expect(info.aud).toBe(client.clientId);
    expect(info.sub).toBe(user.id);
    expect(info.scopes).toEqual([SCOPES.appCreated]);
    expect(info.access_type).toBe('offline');
    const byQuery = await fetch(`${google.endpoints.tokenInfoUrl}?access_token=${tokens.access_token}`);
    expect(((await byQuery.json()) as { sub: string }).sub).toBe(user.id);
  });

  it('redirects with error=access_denied and the state when the user denies', async () => {
    const { url } = await authUrl();
    const callback = await submitConsent(url, { decision: 'deny', email: EMAIL });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('state-123');
    expect(callback.searchParams.has('code')).toBe(false);
  });

  it('refuses a wrong PKCE verifier and a missing one, then still accepts the right one once', async () => {
    const { url, codeVerifier } = await authUrl();
    const code = (await submitConsent(url, { email: EMAIL })).searchParams.get('code') as string;
    const other = await oauth.generateCodeVerifierAsync();
    expect(await googleError(oauth.getToken({ code, codeVerifier: other.codeVerifier }))).toEqual({
      status: 400,
      reason: 'invalid_grant',
    });
    expect(await googleError(oauth.getToken({ code }))).toEqual({ status: 400, reason: 'invalid_grant' });
    await oauth.getToken({ code, codeVerifier });
    expect(await googleError(oauth.getToken({ code, codeVerifier }))).toEqual({
      status: 400,
      reason: 'invalid_grant',
    });
  });

  it('makes codes single-use and short-lived', async () => {
    const first = await authUrl();
    const code = (await submitConsent(first.url, { email: EMAIL })).searchParams.get('code') as string;
    await oauth.getToken({ code, codeVerifier: first.codeVerifier });
    expect(await googleError(oauth.getToken({ code, codeVerifier: first.codeVerifier }))).toEqual({
      status: 400,
      reason: 'invalid_grant',
    });

    const second = await authUrl();
    const late = (await submitConsent(second.url, { email: EMAIL })).searchParams.get('code') as string;
    clock += 601_000;
    expect(await googleError(oauth.getToken({ code: late, codeVerifier: second.codeVerifier }))).toEqual({
      status: 400,
      reason: 'invalid_grant',
    });
  });

  it('checks redirect_uri at the token endpoint and at the authorization page (exact match)', async () => {
    const { url, codeVerifier } = await authUrl();
    const code = (await submitConsent(url, { email: EMAIL })).searchParams.get('code') as string;
    expect(
      await googleError(oauth.getToken({ code, codeVerifier, redirect_uri: `${REDIRECT_URI}/` })),
    ).toEqual({
      status: 400,
      reason: 'redirect_uri_mismatch',
    });
    const mismatch = await openConsentPage((await authUrl({ redirect_uri: `${REDIRECT_URI}?x=1` })).url);
    expect(mismatch.status).toBe(400);
    expect(mismatch.html).toContain('redirect_uri_mismatch');
    expect(mismatch.requestId).toBeUndefined();
  });

  it('shows an error page for an unknown client, a bad response_type, unknown scopes and a bad PKCE method', async () => {
    const base = new URL((await authUrl()).url);
    const variant = (name: string, value: string) => {
      const url = new URL(base);
      url.searchParams.set(name, value);
      return url.toString();
    };
    expect((await openConsentPage(variant('client_id', 'nobody'))).status).toBe(401);
    expect((await openConsentPage(variant('response_type', 'token'))).html).toContain(
      'unsupported_response_type',
    );
    expect((await openConsentPage(variant('scope', 'https://example.com/nope'))).html).toContain(
      'invalid_scope',
    );
    expect((await openConsentPage(variant('code_challenge_method', 'S512'))).html).toContain(
      'invalid_request',
    );
  });

  it('requires PKCE for a client registered with requirePkce, and supports the plain method as Google does', async () => {
    const strict = google.control.registerClient({ redirectUris: [REDIRECT_URI], requirePkce: true });
    const strictOauth = oauthClientFor(google, strict);
    const withoutPkce = strictOauth.generateAuthUrl({ scope: [SCOPES.appCreated], access_type: 'offline' });
    expect((await openConsentPage(withoutPkce)).html).toContain('requires PKCE');

    const verifier = 'a'.repeat(50);
    const plain = strictOauth.generateAuthUrl({
      scope: [SCOPES.appCreated],
      code_challenge: verifier,
      code_challenge_method: CodeChallengeMethod.Plain,
    });
    const code = (await submitConsent(plain, { email: EMAIL })).searchParams.get('code') as string;
    const { tokens } = await strictOauth.getToken({ code, codeVerifier: verifier });
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeUndefined(); // access_type was online
  });

  it('grants only the ticked scopes and reports them in the scope field', async () => {
    const both = [SCOPES.appCreated, 'email'];
    const { url, codeVerifier } = await authUrl({ scope: both, include_granted_scopes: false });
    const callback = await submitConsent(url, { email: EMAIL, scopes: ['email'] });
    expect(callback.searchParams.get('scope')).toBe('email');
    const { tokens } = await oauth.getToken({
      code: callback.searchParams.get('code') as string,
      codeVerifier,
    });
    expect(tokens.scope).toBe('email');
    oauth.setCredentials(tokens);
    expect(
      await googleError(calendarApiFor(google, oauth).calendars.insert({ requestBody: { summary: 'x' } })),
    ).toEqual({
      status: 403,
      reason: 'insufficientPermissions',
    });
  });

  it('narrows the next grant as a test asks (grantNextScopes), on the form and when minting', async () => {
    google.control.grantNextScopes({ user: EMAIL, scopes: ['email'] });
    const { url, codeVerifier } = await authUrl({ scope: [SCOPES.appCreated, 'email'], login_hint: EMAIL });
    const page = await openConsentPage(url);
    expect(page.scopes).toEqual([
      { value: SCOPES.appCreated, checked: false },
      { value: 'email', checked: true },
    ]);
    const callback = await submitConsent(url, { email: EMAIL, scopes: [SCOPES.appCreated, 'email'] });
    const { tokens } = await oauth.getToken({
      code: callback.searchParams.get('code') as string,
      codeVerifier,
    });
    expect(tokens.scope).toBe('email');

    google.control.grantNextScopes({ user: EMAIL, scopes: [] });
    const minted = google.control.mintTokens({
      user: EMAIL,
      clientId: client.clientId,
      scopes: [SCOPES.appCreated],
    });
    expect(minted.scope).toBe('');
  });

  it('adds previously granted scopes with include_granted_scopes=true', async () => {
    const first = await authUrl({ scope: ['email'] });
    const code1 = (await submitConsent(first.url, { email: EMAIL })).searchParams.get('code') as string;
    await oauth.getToken({ code: code1, codeVerifier: first.codeVerifier });
    const second = await authUrl({ scope: [SCOPES.appCreated] });
    const code2 = (await submitConsent(second.url, { email: EMAIL })).searchParams.get('code') as string;
    const { tokens } = await oauth.getToken({ code: code2, codeVerifier: second.codeVerifier });
    expect(tokens.scope?.split(' ').sort()).toEqual([SCOPES.appCreated, 'email'].sort());
  });

  it('returns a refresh token only for offline access on consent (first grant or prompt=consent)', async () => {
    const exchange = async (extra: Record<string, unknown>) => {
      const { url, codeVerifier } = await authUrl(extra);
      const code = (await submitConsent(url, { email: EMAIL })).searchParams.get('code') as string;
      return (await oauth.getToken({ code, codeVerifier })).tokens;
    };
    expect((await exchange({ access_type: 'online' })).refresh_token).toBeUndefined();
    // The grant exists now: without prompt=consent Google gives no new refresh token.
    expect((await exchange({ prompt: undefined })).refresh_token).toBeUndefined();
    expect((await exchange({ prompt: 'consent' })).refresh_token).toBeTruthy();
  });

  it('refreshes, and answers invalid_grant once the refresh token is revoked (its access tokens die too)', async () => {
    const minted = google.control.mintTokens({
      user: EMAIL,
      clientId: client.clientId,
      scopes: [SCOPES.appCreated],
      offline: true,
    });
    oauth.setCredentials({ refresh_token: minted.refresh_token as string });
    const refreshed = await oauth.refreshAccessToken();
    expect(refreshed.credentials.access_token).toBeTruthy();
    expect(refreshed.credentials.scope).toBe(SCOPES.appCreated);
    const api = calendarApiFor(google, oauth);
    await api.calendars.insert({ requestBody: { summary: 'before revoke' } });

    await oauth.revokeToken(minted.refresh_token as string);
    expect(await googleError(oauth.revokeToken(minted.refresh_token as string))).toEqual({
      status: 400,
      reason: 'invalid_token',
    });
    const stale = oauthClientFor(google, client);
    stale.setCredentials({ access_token: refreshed.credentials.access_token as string });
    expect(
      await googleError(calendarApiFor(google, stale).calendars.insert({ requestBody: { summary: 'x' } })),
    ).toEqual({
      status: 401,
      reason: 'authError',
    });
    const fresh = oauthClientFor(google, client);
    fresh.setCredentials({ refresh_token: minted.refresh_token as string });
    expect(await googleError(fresh.refreshAccessToken())).toEqual({ status: 400, reason: 'invalid_grant' });
  });

  it('revoking one token revokes the whole grant: every token of the user for every client of the project', async () => {
    // Google: "Revocation removes all OAuth 2.0 scopes previously granted to a project, invalidating any issued
    // access or refresh tokens for all clients registered under that project" (web-server guide, tokenrevoke).
    const sibling = google.control.registerClient({
      redirectUris: [REDIRECT_URI],
      projectId: client.projectId,
    });
    const elsewhere = google.control.registerClient({ redirectUris: [REDIRECT_URI] });
    const other = google.control.createUser({ email: 'grace@example.com' });
    const mint = (clientId: string, email = EMAIL) =>
      google.control.mintTokens({ user: email, clientId, scopes: [SCOPES.appCreated], offline: true });
    const old = mint(client.clientId);
    const current = mint(client.clientId);
    const siblings = mint(sibling.clientId);
    const otherProject = mint(elsewhere.clientId);
    const otherUser = mint(client.clientId, other.email);

    await oauth.revokeToken(old.refresh_token as string);
    const refresh = (registered: RegisteredClient, refreshToken: string | undefined) => {
      const fresh = oauthClientFor(google, registered);
      fresh.setCredentials({ refresh_token: refreshToken as string });
      return fresh.refreshAccessToken();
    };
    for (const [registered, tokens] of [
      [client, current],
      [sibling, siblings],
    ] as const) {
      expect(await googleError(refresh(registered, tokens.refresh_token))).toEqual({
        status: 400,
        reason: 'invalid_grant',
      });
      expect(await googleError(oauth.getTokenInfo(tokens.access_token))).toEqual({
        status: 400,
        reason: 'invalid_token',
      });
    }
    // Another project's grant, and another user's, live on.
    expect((await refresh(elsewhere, otherProject.refresh_token)).credentials.access_token).toBeTruthy();
    expect((await refresh(client, otherUser.refresh_token)).credentials.access_token).toBeTruthy();

    // Revoking an access token likewise takes the whole grant.
    const again = mint(client.clientId);
    const alongside = mint(sibling.clientId);
    await oauth.revokeToken(again.access_token);
    expect(await googleError(refresh(sibling, alongside.refresh_token))).toEqual({
      status: 400,
      reason: 'invalid_grant',
    });
  });

  it('with revocation "token", revoking a token kills only its family; the user\'s other tokens live on', async () => {
    await google.close();
    google = await startGoogleEmulator({ tokens: { revocation: 'token' } });
    client = google.control.registerClient({ redirectUris: [REDIRECT_URI] });
    google.control.createUser({ email: EMAIL });
    oauth = oauthClientFor(google, client);
    const mint = () =>
      google.control.mintTokens({
        user: EMAIL,
        clientId: client.clientId,
        scopes: [SCOPES.appCreated],
        offline: true,
      });
    const first = mint();
    const second = mint();
    await oauth.revokeToken(first.access_token);
    oauth.setCredentials({ refresh_token: first.refresh_token as string });
    expect(await googleError(oauth.refreshAccessToken())).toEqual({ status: 400, reason: 'invalid_grant' });
    oauth.setCredentials({ refresh_token: second.refresh_token as string });
    expect((await oauth.refreshAccessToken()).credentials.access_token).toBeTruthy();
  });

  it('keeps 100 refresh tokens per client and user: the 101st silently invalidates the oldest', async () => {
    const refreshTokens = Array.from(
      { length: 101 },
      () =>
        google.control.mintTokens({
          user: EMAIL,
          clientId: client.clientId,
          scopes: [SCOPES.appCreated],
          offline: true,
        }).refresh_token as string,
    );
    const refresh = (token: string) => {
      const fresh = oauthClientFor(google, client);
      fresh.setCredentials({ refresh_token: token });
      return fresh.refreshAccessToken();
    };
    expect(await googleError(refresh(refreshTokens[0] as string))).toEqual({
      status: 400,
      reason: 'invalid_grant',
    });
    expect(await googleError(refresh(refreshTokens[1] as string))).toBeUndefined();
    expect(await googleError(refresh(refreshTokens[100] as string))).toBeUndefined();
    // Another client's tokens for the same user do not count against this client's limit.
    const other = google.control.registerClient({ redirectUris: [REDIRECT_URI] });
    google.control.mintTokens({
      user: EMAIL,
      clientId: other.clientId,
      scopes: [SCOPES.appCreated],
      offline: true,
    });
    expect(await googleError(refresh(refreshTokens[1] as string))).toBeUndefined();
  });

  it('expires access tokens after expires_in, and expireTokens makes refresh tokens invalid_grant', async () => {
    const minted = google.control.mintTokens({
      user: EMAIL,
      clientId: client.clientId,
      scopes: [SCOPES.appCreated],
      offline: true,
    });
    expect(minted.expires_in).toBe(3599);
    const holder = oauthClientFor(google, client);
    holder.setCredentials({ access_token: minted.access_token });
    const api = calendarApiFor(google, holder);
    await api.calendars.insert({ requestBody: { summary: 'fresh' } });
    clock += 3599_000;
    expect(await googleError(api.calendars.insert({ requestBody: { summary: 'stale' } }))).toEqual({
      status: 401,
      reason: 'authError',
    });
    expect(google.control.expireTokens({ user: EMAIL, kind: 'refresh' })).toBe(1);
    oauth.setCredentials({ refresh_token: minted.refresh_token as string });
    expect(await googleError(oauth.refreshAccessToken())).toEqual({ status: 400, reason: 'invalid_grant' });
  });

  it('authenticates clients by client_secret in the body or HTTP Basic, and refuses a wrong secret', async () => {
    const minted = google.control.mintTokens({
      user: EMAIL,
      clientId: client.clientId,
      scopes: [SCOPES.appCreated],
      offline: true,
    });
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: minted.refresh_token as string,
    });
    const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
    const viaBasic = await fetch(google.endpoints.oauth2TokenUrl, {
      method: 'POST',
      body: form,
      headers: { authorization: `Basic ${basic}` },
    });
    expect(viaBasic.status).toBe(200);
    expect(((await viaBasic.json()) as { expires_in: number }).expires_in).toBe(3599);

    const wrong = new OAuth2Client({
      clientId: client.clientId,
      clientSecret: 'wrong',
      endpoints: google.endpoints,
    });
    wrong.setCredentials({ refresh_token: minted.refresh_token as string });
    expect(await googleError(wrong.refreshAccessToken())).toEqual({ status: 401, reason: 'invalid_client' });

    const unsupported = await fetch(google.endpoints.oauth2TokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      }),
    });
    expect(await unsupported.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'Invalid grant_type: password',
    });
  });

  it('revokeUserTokens models the user removing the app', async () => {
    const { access_token } = google.control.mintTokens({
      user: EMAIL,
      clientId: client.clientId,
      scopes: [SCOPES.appCreated],
      offline: true,
    });
    expect(google.control.revokeUserTokens({ user: EMAIL })).toBe(2);
    expect(await googleError(oauth.getTokenInfo(access_token))).toEqual({
      status: 400,
      reason: 'invalid_token',
    });
  });
});
