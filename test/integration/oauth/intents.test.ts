import { createHmac } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { header, setCookies } from '../../support/api-gateway.ts';
import {
  BASE,
  calendarFeed,
  INTENT_KEY_IDS,
  INTENT_KEYS,
  json,
  location,
  OAuthHarness,
  REDIRECT_URI,
  RETURN_TO,
} from './harness.ts';

const HOST_ORIGIN = new URL(RETURN_TO).origin;
/** The confirmation page is served by this service: its form posts from the service's own origin. */
const SERVICE_ORIGIN = new URL(REDIRECT_URI).origin;

/** Who may link, relink and delete: the feed token alone is not enough, the host's intent is. */
describe('connect intents (CONNECT_INTENTS=required, the default)', () => {
  const h = new OAuthHarness();
  beforeAll(async () => {
    await h.open();
  });
  afterAll(async () => h.close());

  const oauthStates = async () =>
    (await h.dynamo.client.send(new ScanCommand({ TableName: h.dynamo.tableNames.oauthStates }))).Count ?? 0;

  function expectRefused(response: APIGatewayProxyResult, status: number, code: string) {
    expect(response.statusCode).toBe(status);
    expect(header(response, 'Location')).toBeUndefined();
    expect(setCookies(response)).toEqual([]);
    if (header(response, 'Content-Type')?.startsWith('application/json')) {
      expect(json(response).error).toBe(code);
    } else {
      expect(response.body).toContain('<h1>');
    }
  }

  const disconnectWith = (feedToken: string, body: Record<string, unknown>) =>
    h.invoke({
      method: 'POST',
      path: `${BASE}/disconnect`,
      headers: { Authorization: `Bearer ${feedToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  const calendarOf = async (feedToken: string) =>
    (await h.services.connections.get(await h.subscriberIdOf(feedToken)))?.calendarId;
  const calendarExists = (calendarId: string | undefined) =>
    h.google.control.state().calendars.some((c) => c.id === calendarId);

  describe('whoever holds a feed URL but no intent', () => {
    it('cannot start a connect (form or link): nothing stored, never Google', async () => {
      const victimToken = h.newFeedToken();
      const before = await oauthStates();
      const form = await h.postStart({ token: victimToken, return_to: RETURN_TO });
      expectRefused(form, 403, 'intent_required');
      expect(form.body).toMatch(/must be confirmed from your calendar settings page/);
      const link = await h.confirmationPage({ token: victimToken, return_to: RETURN_TO });
      expectRefused(link, 403, 'intent_required');
      expect(await oauthStates()).toBe(before);
    });

    it('cannot replace a live connection with another Google account', async () => {
      const victimToken = h.newFeedToken();
      await h.connect(victimToken, { email: 'victim@example.com' });
      const before = await h.services.connections.get(await h.subscriberIdOf(victimToken));
      expectRefused(await h.postStart({ token: victimToken }), 403, 'intent_required');
      expect(await h.services.connections.get(await h.subscriberIdOf(victimToken))).toEqual(before);
    });

    it('cannot disconnect, and cannot delete the calendar: the connection and the calendar stay', async () => {
      const victimToken = h.newFeedToken();
      await h.connect(victimToken, { email: 'keep@example.com' });
      const calendarId = await calendarOf(victimToken);
      const attempts = [
        await h.invoke({
          method: 'POST',
          path: `${BASE}/disconnect`,
          headers: { Authorization: `Bearer ${victimToken}` },
        }),
        await h.invoke({
          method: 'POST',
          path: `${BASE}/disconnect`,
          query: { deleteCalendar: 'true' },
          headers: { Authorization: `Bearer ${victimToken}` },
        }),
        await disconnectWith(victimToken, { deleteCalendar: true }),
      ];
      for (const response of attempts) expectRefused(response, 403, 'intent_required');
      // A disconnect intent does not delete the calendar, nor a connect intent disconnect.
      expectRefused(
        await disconnectWith(victimToken, {
          deleteCalendar: true,
          intent: h.mintIntent('disconnect', victimToken),
        }),
        403,
        'intent_wrong_action',
      );
      expectRefused(
        await disconnectWith(victimToken, { intent: h.mintIntent('connect', victimToken) }),
        403,
        'intent_wrong_action',
      );
      expect(await calendarOf(victimToken)).toBe(calendarId);
      expect(calendarExists(calendarId)).toBe(true);
      expect(json(await h.status(victimToken))).toMatchObject({ status: 'connected' });
    });

    it('can still read the status (it shows nothing of the Google account)', async () => {
      const feedToken = h.newFeedToken();
      await h.connect(feedToken, { email: 'private@example.com' });
      const status = await h.status(feedToken);
      expect(status.statusCode).toBe(200);
      expect(status.body).not.toContain('private@example.com');
    });
  });

  describe('a start link mailed to someone, with the sender’s token and intent', () => {
    it('shows a confirmation page naming the sender’s calendar, never redirects; the page’s form works once', async () => {
      const senderToken = h.newFeedToken();
      h.feeds.feeds.set(senderToken, calendarFeed('Sender’s Choir Rehearsals'));
      const intent = h.mintIntent('connect', senderToken, { returnTo: RETURN_TO });
      const before = await oauthStates();
      const query = { token: senderToken, intent, return_to: RETURN_TO };
      const page = await h.confirmationPage(query, { 'Sec-Fetch-Site': 'none' });
      expect(page.statusCode).toBe(200);
      expect(header(page, 'Location')).toBeUndefined();
      expect(setCookies(page)).toEqual([]);
      expect(page.body).toContain('“Sender’s Choir Rehearsals”');
      expect(page.body).toMatch(/If someone sent you this link, do not continue/);
      for (const [name, value] of Object.entries(query)) {
        expect(page.body).toContain(`<input type="hidden" name="${name}" value="${value}">`);
      }
      expect(await oauthStates()).toBe(before);
      // Checked without being used up: the page can be shown again, and its form still works.
      expect((await h.confirmationPage(query)).statusCode).toBe(200);

      const posted = await h.postStart(query, SERVICE_ORIGIN);
      expect(posted.statusCode).toBe(302);
      expect(new URL(location(posted)).origin).toBe(new URL(h.google.baseUrl).origin);
      expectRefused(await h.postStart(query, SERVICE_ORIGIN), 409, 'intent_used');
    });

    it('expires: ten minutes later neither the page nor its form accepts the intent', async () => {
      const senderToken = h.newFeedToken();
      const intent = h.mintIntent('connect', senderToken);
      h.clock.advance(600_000);
      expectRefused(await h.confirmationPage({ token: senderToken, intent }), 403, 'intent_expired');
      expectRefused(await h.postStart({ token: senderToken, intent }, SERVICE_ORIGIN), 403, 'intent_expired');
    });
  });

  describe('each intent binds what it was made for', () => {
    it.each([
      ['replayed nonce', 409, 'intent_used'],
      ['expired', 403, 'intent_expired'],
      ['expiring more than 10 minutes ahead', 403, 'intent_too_long'],
      ['for another action', 403, 'intent_wrong_action'],
      ['for another feed token', 403, 'intent_wrong_feed'],
      ['for another return_to', 403, 'intent_wrong_return_to'],
      ['signed with an unknown key id', 403, 'intent_unknown_key'],
      ['signed with another key under a known id', 403, 'intent_bad_signature'],
      ['with a tampered MAC', 403, 'intent_bad_signature'],
      ['with a tampered payload', 403, 'intent_bad_signature'],
      ["with its MAC's 2 unused bits set (same bytes, another text)", 403, 'intent_bad_signature'],
      ['signed, but naming a member twice', 400, 'intent_malformed'],
      ['garbage', 400, 'intent_malformed'],
    ] as const)('an intent %s is refused (%i %s), and nothing is started', async (variant, status, code) => {
      const feedToken = h.newFeedToken();
      const now = Math.floor(h.clock.now() / 1000);
      const valid = h.mintIntent('connect', feedToken, { returnTo: RETURN_TO });
      const [, , payload = '', mac = ''] = valid.split('.');
      const intents: Record<typeof variant, () => Promise<string> | string> = {
        'replayed nonce': async () => {
          const once = h.mintIntent('connect', feedToken, { returnTo: RETURN_TO, nonce: 'n'.repeat(24) });
          expect(
            (await h.postStart({ token: feedToken, return_to: RETURN_TO, intent: once })).statusCode,
          ).toBe(302);
          return once;
        },
        expired: () => h.mintIntent('connect', feedToken, { returnTo: RETURN_TO, expiresAt: now - 1 }),
        'expiring more than 10 minutes ahead': () =>
          h.mintIntent('connect', feedToken, { returnTo: RETURN_TO, expiresAt: now + 3600 }),
        'for another action': () => h.mintIntent('disconnect', feedToken, { returnTo: RETURN_TO }),
        'for another feed token': () => h.mintIntent('connect', h.newFeedToken(), { returnTo: RETURN_TO }),
        'for another return_to': () => h.mintIntent('connect', feedToken, { returnTo: `${RETURN_TO}/other` }),
        'signed with an unknown key id': () =>
          h.mintIntent('connect', feedToken, { returnTo: RETURN_TO, keyId: 'retired-key' }),
        'signed with another key under a known id': () =>
          h.mintIntent('connect', feedToken, { returnTo: RETURN_TO, key: INTENT_KEYS.previous }),
        // The first character: the last one of 43 carries two unused bits, so changing it may change nothing.
        'with a tampered MAC': () =>
          `${valid.slice(0, -mac.length)}${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`,
        'with a tampered payload': () =>
          valid.replace(
            payload,
            Buffer.from(
              Buffer.from(payload, 'base64url').toString('utf8').replace('"connect"', '"connect" '),
            ).toString('base64url'),
          ),
        "with its MAC's 2 unused bits set (same bytes, another text)": () => {
          const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
          const last = alphabet[alphabet.indexOf(mac.at(-1) as string) ^ 1] as string;
          const variantMac = `${mac.slice(0, -1)}${last}`;
          expect(Buffer.from(variantMac, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
          return `${valid.slice(0, -mac.length)}${variantMac}`;
        },
        // Properly signed by the host's key: only strict parsing stands between it and "the last one wins".
        'signed, but naming a member twice': () => {
          const members = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
          const text = `{"action":"disconnect",${JSON.stringify(members).slice(1)}`;
          const signed = `v1.${INTENT_KEY_IDS.current}.${Buffer.from(text).toString('base64url')}`;
          return `${signed}.${createHmac('sha256', INTENT_KEYS.current).update(signed).digest('base64url')}`;
        },
        garbage: () => 'v1.<script>.not base64.!!',
      };
      const intent = await intents[variant]();
      const before = await oauthStates();
      const response = await h.postStart({ token: feedToken, return_to: RETURN_TO, intent });
      expectRefused(response, status, code);
      expect(response.statusCode).toBeLessThan(500);
      expect(await oauthStates()).toBe(before);
    });

    it('refuses garbage and another token’s intent on disconnect too (4xx, connection kept)', async () => {
      const feedToken = h.newFeedToken();
      await h.connect(feedToken);
      for (const [intent, code] of [
        ['garbage', 'intent_malformed'],
        ['v1.kid.e30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'intent_unknown_key'],
        [h.mintIntent('disconnect', h.newFeedToken()), 'intent_wrong_feed'],
        [h.mintIntent('disconnect', feedToken, { returnTo: RETURN_TO }), 'intent_wrong_return_to'],
      ] as const) {
        expectRefused(
          await disconnectWith(feedToken, { intent }),
          code === 'intent_malformed' ? 400 : 403,
          code,
        );
      }
      expect(json(await h.status(feedToken))).toMatchObject({ status: 'connected' });
    });

    it('disconnect checks the intent before the feed token (README): no feed download without an intent', async () => {
      const unknownToken = 'not-a-known-token-but-well-formed';
      const downloads = h.feeds.requests;
      expectRefused(await disconnectWith(unknownToken, {}), 403, 'intent_required');
      expect(h.feeds.requests).toBe(downloads);
      // With the host's intent for that token, the token itself is then checked (and refused).
      const refused = await disconnectWith(unknownToken, {
        intent: h.mintIntent('disconnect', unknownToken),
      });
      expect(refused.statusCode).toBe(401);
      expect(json(refused).error).toBe('invalid_token');
    });

    it('a disconnect intent works once; delete_calendar deletes the calendar', async () => {
      const feedToken = h.newFeedToken();
      await h.connect(feedToken);
      const calendarId = await calendarOf(feedToken);
      const intent = h.mintIntent('delete_calendar', feedToken);
      const done = await disconnectWith(feedToken, { deleteCalendar: true, intent });
      expect(json(done)).toMatchObject({ disconnected: true, calendar: 'deleted' });
      expect(calendarExists(calendarId)).toBe(false);
      expectRefused(await disconnectWith(feedToken, { deleteCalendar: true, intent }), 409, 'intent_used');
    });
  });

  it('key rotation: intents signed with either configured key are accepted', async () => {
    for (const which of ['current', 'previous'] as const) {
      const feedToken = h.newFeedToken();
      const intent = h.mintIntent('connect', feedToken, {
        keyId: INTENT_KEY_IDS[which],
        key: INTENT_KEYS[which],
      });
      const response = await h.postStart({ token: feedToken, intent });
      expect(response.statusCode, which).toBe(302);
    }
  });

  describe('the confirmation page', () => {
    it('escapes a hostile X-WR-CALNAME, has a CSP without script and is not stored', async () => {
      const feedToken = h.newFeedToken();
      h.feeds.feeds.set(feedToken, calendarFeed('<script>alert(1)</script> & "quoted" \\, name'));
      const page = await h.confirmationPage({
        token: feedToken,
        intent: h.mintIntent('connect', feedToken, { returnTo: RETURN_TO }),
        return_to: RETURN_TO,
      });
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('<script');
      expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; , name');
      const csp = header(page, 'Content-Security-Policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toMatch(/script-src/);
      expect(csp).toContain(`form-action 'self' ${new URL(h.google.baseUrl).origin}`);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(header(page, 'Cache-Control')).toBe('no-store');
      expect(header(page, 'Content-Type')).toMatch(/^text\/html/);
    });

    it('reads the name from the feed download that proves the token (no second download)', async () => {
      const feedToken = h.newFeedToken();
      h.feeds.feeds.set(feedToken, calendarFeed('Only once'));
      const downloads = h.feeds.requests;
      const page = await h.confirmationPage({ token: feedToken, intent: h.mintIntent('connect', feedToken) });
      expect(page.body).toContain('“Only once”');
      expect(h.feeds.requests - downloads).toBe(1);
      await h.confirmationPage({ token: feedToken, intent: h.mintIntent('connect', feedToken) });
      expect(h.feeds.requests - downloads).toBe(1);
    });

    it('strips bidi overrides and invisible characters, and labels whose word each name is', async () => {
      const feedToken = h.newFeedToken();
      // Reads "Bank of Evil" backwards without the override; zero-width characters hide a word.
      h.feeds.feeds.set(feedToken, calendarFeed('Payroll \u202Elive\u202C f\u200Bo k\u2066na\u2069B\uFEFF'));
      const unlabelled = await h.confirmationPage({
        token: feedToken,
        intent: h.mintIntent('connect', feedToken),
      });
      expect(unlabelled.statusCode).toBe(200);
      expect(unlabelled.body).not.toMatch(/\p{Cf}/u);
      expect(unlabelled.body).toContain('“Payroll live fo knaB”');
      expect(unlabelled.body).toContain('chosen by its owner');
      // The host signs its own name for the calendar: shown as the host's, the feed's name as the owner's.
      const labelled = await h.confirmationPage({
        token: feedToken,
        intent: h.mintIntent('connect', feedToken, { label: 'Alice Martin \u202E(work)' }),
      });
      expect(labelled.statusCode).toBe(200);
      expect(labelled.body).toContain(
        'your calendar service signed as <strong>“Alice Martin (work)”</strong>',
      );
      expect(labelled.body).toContain('the feed names itself <strong>“Payroll live fo knaB”</strong>');
      expect(labelled.body).not.toMatch(/\p{Cf}/u);
    });

    it('refuses an unknown feed token before looking at the intent', async () => {
      const page = await h.confirmationPage({
        token: 'not-a-known-token-xyz',
        intent: h.mintIntent('connect', 'not-a-known-token-xyz'),
      });
      expectRefused(page, 401, 'invalid_token');
    });
  });
});

describe('CONNECT_INTENTS=token_only (hosts that cannot sign yet): the feed token alone, as before', () => {
  const h = new OAuthHarness();
  beforeAll(async () => {
    await h.open({ env: { CONNECT_INTENTS: 'token_only' } });
  });
  afterAll(async () => h.close());

  it('starts, disconnects and deletes the calendar with the feed token alone; the link still shows the page', async () => {
    const feedToken = h.newFeedToken();
    expect(h.services.intents).toBeUndefined();
    const page = await h.confirmationPage({ token: feedToken, return_to: RETURN_TO });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('name="intent"');
    const form = await h.postStart({ token: feedToken, return_to: RETURN_TO }, HOST_ORIGIN);
    expect(form.statusCode).toBe(302);
    await h.connect(feedToken);
    const calendarId = (await h.services.connections.get(await h.subscriberIdOf(feedToken)))?.calendarId;
    const done = await h.disconnect(feedToken, { deleteCalendar: 'true' });
    expect(json(done)).toEqual({ disconnected: true, googleAccess: 'revoked', calendar: 'deleted' });
    expect(h.google.control.state().calendars.some((c) => c.id === calendarId)).toBe(false);
  });
});

describe("CONNECT_LINK=false: only the form on the host's page starts a connect", () => {
  const h = new OAuthHarness();
  beforeAll(async () => {
    await h.open({ env: { CONNECT_LINK: 'false' } });
  });
  afterAll(async () => h.close());

  it('answers the link with 404 before reading anything; the POST form still starts a connect', async () => {
    const feedToken = h.newFeedToken();
    const downloads = h.feeds.requests;
    const page = await h.confirmationPage({
      token: feedToken,
      intent: h.mintIntent('connect', feedToken, { returnTo: RETURN_TO }),
      return_to: RETURN_TO,
    });
    expect(page.statusCode).toBe(404);
    expect(header(page, 'Location')).toBeUndefined();
    expect(page.body).toContain('Connecting by link is turned off');
    expect(h.feeds.requests).toBe(downloads);
    const form = await h.postStart({
      token: feedToken,
      return_to: RETURN_TO,
      intent: h.mintIntent('connect', feedToken, { returnTo: RETURN_TO }),
    });
    expect(form.statusCode).toBe(302);
  });
});
