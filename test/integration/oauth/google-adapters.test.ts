import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointsUnder } from '../../../lambdas/shared/adapters/google/endpoints.ts';
import { GoogleOAuthClient } from '../../../lambdas/shared/adapters/google/oauth-client.ts';
import { CalendarProvisioningError } from '../../../lambdas/shared/ports/calendar-provisioner.ts';
import {
  InvalidGrantError,
  OAuthRequestError,
  OAuthUnavailableError,
} from '../../../lambdas/shared/ports/oauth-client.ts';
import { location, OAuthHarness, REDIRECT_URI, RETURN_TO, SCOPE } from './harness.ts';

describe('Google adapters against the emulator: typed errors, nothing leaked', () => {
  const h = new OAuthHarness();
  beforeAll(async () => {
    await h.open();
  });
  afterAll(async () => h.close());

  const mint = (email: string) => {
    h.google.control.createUser({ email });
    return h.google.control.mintTokens({
      user: email,
      clientId: h.client.clientId,
      scopes: [SCOPE],
      offline: true,
    });
  };

  it('refresh of a revoked token is invalid_grant; revoking it again still succeeds', async () => {
    const tokens = mint('rev@example.com');
    await h.services.oauth.revoke(tokens.refresh_token as string);
    await expect(h.services.oauth.refresh(tokens.refresh_token as string)).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
    await expect(h.services.oauth.revoke(tokens.refresh_token as string)).resolves.toBeUndefined();
  });

  it('a wrong client secret is a request error, an unreachable Google is "unavailable"', async () => {
    const tokens = mint('cfg@example.com');
    const wrongSecret = new GoogleOAuthClient({
      credentials: { get: async () => ({ clientId: h.client.clientId, clientSecret: 'wrong' }) },
      endpoints: h.google.endpoints,
      redirectUri: REDIRECT_URI,
    });
    const refused = await wrongSecret
      .refresh(tokens.refresh_token as string)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OAuthRequestError);
    expect(String((refused as Error).message)).not.toContain(tokens.refresh_token as string);

    const nowhere = new GoogleOAuthClient({
      credentials: { get: async () => ({ clientId: 'x', clientSecret: 'y' }) },
      endpoints: endpointsUnder('http://127.0.0.1:9'),
      redirectUri: REDIRECT_URI,
    });
    const down = await nowhere.revoke(tokens.refresh_token as string).catch((error: unknown) => error);
    expect(down).toBeInstanceOf(OAuthUnavailableError);
    expect(JSON.stringify(down)).not.toContain(tokens.refresh_token as string);
    expect((down as Error).cause).toBeUndefined();
  });

  it('provisioner: exists/delete tell "gone" from failures', async () => {
    const { access_token: accessToken } = mint('cal@example.com');
    const calendarId = await h.services.provisioner.create(accessToken, { summary: 'X', timeZone: 'UTC' });
    expect(await h.services.provisioner.exists(accessToken, calendarId)).toBe(true);
    expect(await h.services.provisioner.exists(accessToken, 'unknown@group.calendar.google.com')).toBe(false);
    expect(await h.services.provisioner.delete(accessToken, calendarId)).toBe(true);
    expect(await h.services.provisioner.delete(accessToken, calendarId)).toBe(false);
    h.google.control.injectFault({ method: 'calendars.insert', status: 403, reason: 'quotaExceeded' });
    const error = await h.services.provisioner
      .create(accessToken, { summary: 'Y', timeZone: 'UTC' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CalendarProvisioningError);
    expect(error).toMatchObject({ status: 403, reason: 'quotaExceeded', retryable: false });
  });

  it('callback: calendar usage limit -> calendar_unavailable, Google down -> google_unavailable, nothing stored', async () => {
    for (const [method, reason] of [
      ['calendars.insert', 'calendar_unavailable'],
      ['oauth2.token', 'google_unavailable'],
    ] as const) {
      const feedToken = h.newFeedToken();
      const { response, jar } = await h.begin(feedToken);
      const params = await h.consent(location(response));
      h.google.control.injectFault(
        method === 'calendars.insert'
          ? { method, status: 403, reason: 'quotaExceeded' }
          : { method, status: 503, count: 10 },
      );
      try {
        expect(location(await h.callback(params, jar))).toBe(`${RETURN_TO}?google=error&reason=${reason}`);
      } finally {
        h.google.control.clearFaults();
      }
      expect(await h.services.connections.get(await h.subscriberIdOf(feedToken))).toBeUndefined();
    }
  });
});
