import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOAuthHandler } from '../../../lambdas/oauth/router.ts';
import { lambdaContext, restEvent } from '../../support/api-gateway.ts';
import { BASE, location, OAuthHarness, RETURN_TO } from './harness.ts';

/**
 * Captures everything written to stdout, stderr and the console during full flows (connect, reconnect, status,
 * failed attempts, Google failures, invalid_grant, disconnect) and checks that no secret of the flow appears.
 */
describe('logs never hold a token, a code or a feed URL', () => {
  const h = new OAuthHarness();
  beforeAll(async () => {
    await h.open({ logLevel: 'DEBUG' });
  });
  afterAll(async () => h.close());

  it('a full flow logs the subscriber id and nothing secret', async () => {
    const output: string[] = [];
    const capture = (chunk: unknown) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    };
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(capture),
      vi.spyOn(process.stderr, 'write').mockImplementation(capture),
      ...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
          capture(args.map(String).join(' '));
        }),
      ),
    ];
    const secrets: string[] = [];
    let subscriberId = '';
    try {
      const feedToken = h.newFeedToken();
      subscriberId = await h.subscriberIdOf(feedToken);
      secrets.push(
        feedToken,
        new URL(h.services.config.feed.urlTemplate.replace('{token}', feedToken)).pathname,
      );

      // Connect, then reconnect (the new refresh token replaces the first).
      for (let round = 0; round < 2; round++) {
        const { response, jar } = await h.begin(feedToken);
        const consentUrl = new URL(location(response));
        secrets.push(
          consentUrl.searchParams.get('state') as string,
          consentUrl.searchParams.get('code_challenge') as string,
        );
        secrets.push(
          ...jar
            .header()
            .split('; ')
            .map((pair) => pair.split('=')[1] as string),
        );
        const params = await h.consent(consentUrl.toString(), { email: 'logs@example.com' });
        secrets.push(params.get('code') as string);
        await h.callback(params, jar);
        const connection = await h.services.connections.get(subscriberId);
        secrets.push(
          await h.services.cipher.decrypt(connection?.refreshTokenCiphertext as string, {
            subscriberId,
            purpose: 'google_refresh_token',
          }),
          connection?.refreshTokenCiphertext as string,
          connection?.feedTokenCiphertext as string,
        );
        secrets.push(await h.services.accessTokens.accessTokenFor(subscriberId));
      }

      // Failures: replayed callback, bad token, Google down during the exchange, JSON garbage.
      const { response, jar } = await h.begin(feedToken);
      const params = await h.consent(location(response), { email: 'logs@example.com' });
      secrets.push(params.get('code') as string, params.get('state') as string);
      h.google.control.injectFault({ method: 'oauth2.token', count: 10, status: 503 });
      await h.callback(params, jar);
      h.google.control.clearFaults();
      await h.callback(params, jar);
      await h.status('wrong-token-123456');
      await h.invoke({
        method: 'POST',
        path: `${BASE}/disconnect`,
        headers: { Authorization: `Bearer ${feedToken}`, 'Content-Type': 'application/json' },
        body: `{"deleteCalendar": ${feedToken}`,
      });

      // Intents: a confirmation page, a replayed, a tampered and a missing intent; their MACs never logged.
      const intent = h.mintIntent('connect', feedToken, { returnTo: RETURN_TO });
      // The MAC's first character changed: writing "AA" over its end left it unchanged when it ended in "AA".
      const macStart = intent.lastIndexOf('.') + 1;
      const flipped = intent[macStart] === 'A' ? 'B' : 'A';
      const tampered = `${intent.slice(0, macStart)}${flipped}${intent.slice(macStart + 1)}`;
      secrets.push(intent, intent.split('.')[3] as string, intent.split('.')[2] as string, tampered);
      await h.confirmationPage({ token: feedToken, intent, return_to: RETURN_TO });
      const form = { token: feedToken, intent, return_to: RETURN_TO };
      await h.postStart(form);
      await h.postStart(form);
      await h.postStart({ ...form, intent: tampered });
      await h.postStart({ token: feedToken });

      // Status, Google refusing the refresh token, disconnect with Google unreachable.
      await h.status(feedToken);
      h.services.accessTokens.forget(subscriberId);
      h.google.control.revokeUserTokens({ user: 'logs@example.com' });
      await h.services.accessTokens.accessTokenFor(subscriberId).catch(() => undefined);
      h.google.control.injectFault({ method: 'oauth2.revoke', count: 10, status: 503 });
      await h.disconnect(feedToken, { deleteCalendar: 'true' });
      h.google.control.clearFaults();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    const logs = output.join('\n');
    // The capture works: the flow's events are there, keyed by the subscriber.
    expect(logs).toContain('"message":"connected"');
    expect(logs).toContain('"message":"disconnected"');
    expect(logs).toContain('"message":"code exchange failed"');
    expect(logs).toContain('"reason":"intent_used"');
    expect(logs).toContain('"reason":"intent_bad_signature"');
    expect(logs).toContain(subscriberId);
    for (const secret of secrets.filter((s) => s && s.length >= 8)) {
      expect(
        logs.includes(secret),
        `a secret of the flow (${secret.slice(0, 4)}...) appears in the logs`,
      ).toBe(false);
    }
    expect(logs).not.toMatch(/ya29\.|1\/\/0g|4\/0A/); // Google's token and code prefixes
  });

  it('never logs the event, even in a container where POWERTOOLS_LOGGER_LOG_EVENT is set', async () => {
    vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
    let logger: Logger;
    try {
      logger = new Logger({ serviceName: 'google-oauth-test', logLevel: 'INFO' });
    } finally {
      vi.unstubAllEnvs();
    }
    const handler = createOAuthHandler(() => h.services, logger);
    const output: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      output.push(String(chunk));
      return true;
    });
    const feedToken = h.newFeedToken();
    try {
      for (const token of [feedToken, 'unknown-token-logged-123']) {
        await handler(
          restEvent({ method: 'GET', path: `${BASE}/status`, headers: { Authorization: `Bearer ${token}` } }),
          lambdaContext(),
        );
      }
    } finally {
      spy.mockRestore();
    }
    const logs = output.join('\n');
    expect(logs).toContain('"message":"request refused"'); // the capture works
    expect(logs).not.toContain(feedToken);
    expect(logs).not.toContain('unknown-token-logged-123');
  });
});
