import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { location, OAuthHarness, RETURN_TO } from './harness.ts';

/**
 * Google documents revocation per token; if it revokes the whole grant instead, revoking the previous refresh
 * token on a reconnect kills the new one too. The callback notices (a refresh of the new token fails) and asks
 * for consent once more, this time leaving the dead previous token alone.
 */
describe('reconnect when Google revokes per grant', () => {
  const h = new OAuthHarness();
  beforeAll(async () => {
    await h.open({ emulator: { tokens: { revocation: 'grant' } } });
  });
  afterAll(async () => h.close());

  it('asks for consent a second time and ends connected with a live token', async () => {
    const feedToken = h.newFeedToken();
    const subscriberId = await h.subscriberIdOf(feedToken);
    await h.connect(feedToken, { email: 'grant@example.com' });
    const calendarId = (await h.services.connections.get(subscriberId))?.calendarId;

    const { response, jar } = await h.begin(feedToken);
    const first = await h.callback(await h.consent(location(response), { email: 'grant@example.com' }), jar);
    expect(new URL(location(first)).origin).toBe(new URL(h.google.baseUrl).origin);
    jar.store(first);

    const second = await h.callback(await h.consent(location(first), { email: 'grant@example.com' }), jar);
    expect(location(second)).toBe(`${RETURN_TO}?google=connected`);
    const connection = await h.services.connections.get(subscriberId);
    expect(connection?.calendarId).toBe(calendarId);
    const refreshToken = await h.services.cipher.decrypt(connection?.refreshTokenCiphertext as string, {
      subscriberId,
      purpose: 'google_refresh_token',
    });
    expect((await h.services.oauth.refresh(refreshToken)).accessToken).toBeTruthy();
  });
});
