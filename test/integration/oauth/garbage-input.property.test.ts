import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestRequest } from '../../support/api-gateway.ts';
import { header } from '../../support/api-gateway.ts';
import { BASE, INTENT_KEY_IDS, OAuthHarness, RETURN_TO } from './harness.ts';

/** Oversized and garbage input on every route: always a clear 4xx (or a redirect), never a 5xx or a stack. */
describe('property: no input makes a route answer 5xx', () => {
  const h = new OAuthHarness();
  let validToken = '';
  beforeAll(async () => {
    // Generous per-subscriber limits: most requests use the one valid token, and the routes' work is the point.
    await h.open({
      env: { RATE_LIMIT_START_PER_SUBSCRIBER: '10000', RATE_LIMIT_STATUS_PER_SUBSCRIBER: '10000' },
    });
    validToken = h.newFeedToken();
  });
  afterAll(async () => h.close());

  const routes = [
    { method: 'GET', path: `${BASE}/start` },
    { method: 'POST', path: `${BASE}/start` },
    { method: 'GET', path: `${BASE}/callback` },
    { method: 'POST', path: `${BASE}/disconnect` },
    { method: 'GET', path: `${BASE}/status` },
  ] as const;

  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ minLength: 2000, maxLength: 9000 }),
    fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), // looks like a state or cookie
    fc.constantFrom(
      '',
      ' ',
      '%00',
      '\u0000',
      '../..',
      '<script>',
      '{"a":',
      'true',
      'null',
      RETURN_TO,
      '//evil.example',
    ),
  );
  /** Intents: garbage in the format's shape, and real ones (`__intent__`) for the valid token. */
  const intentLike = fc.oneof(
    fc.constant('__intent__'),
    fc
      .tuple(
        fc.constantFrom('v1', 'v2', ''),
        fc.oneof(fc.constantFrom(INTENT_KEY_IDS.current, 'unknown'), fc.string({ maxLength: 10 })),
        fc.oneof(
          fc.base64String({ maxLength: 60 }),
          fc.json().map((j) => Buffer.from(j).toString('base64url')),
        ),
        fc.stringMatching(/^[A-Za-z0-9_-]{0,50}$/),
      )
      .map((parts) => parts.join('.')),
  );
  const tokenLike = fc.oneof(
    text,
    fc.constant('__valid__'),
    fc.stringMatching(/^[A-Za-z0-9._~-]{8,64}$/),
    intentLike,
  );
  const queryKey = fc.constantFrom(
    'token',
    'return_to',
    'state',
    'code',
    'error',
    'scope',
    'deleteCalendar',
    'intent',
    '__proto__',
    'constructor',
  );
  const query = fc.option(
    fc.dictionary(
      fc.oneof(queryKey, fc.string({ maxLength: 10 })),
      fc.oneof(tokenLike, fc.array(tokenLike, { minLength: 2, maxLength: 3 })),
    ),
    { nil: undefined },
  );
  const headers = fc.record(
    {
      Authorization: fc.oneof(
        tokenLike.map((t) => `Bearer ${t}`),
        text,
      ),
      Cookie: fc.oneof(text, fc.stringMatching(/^__Host-gcal_oauth_[0-9a-f]{16}=[A-Za-z0-9_-]{43}$/)),
      'Content-Type': fc.oneof(
        fc.constantFrom(
          'application/json',
          'application/x-www-form-urlencoded',
          'text/plain',
          'multipart/form-data',
        ),
        text,
      ),
    },
    { requiredKeys: [] },
  );
  const body = fc.option(
    fc.oneof(
      text,
      fc.json(),
      fc.constant(`token=__valid__&return_to=${encodeURIComponent(RETURN_TO)}`),
      intentLike.map((intent) => `token=__valid__&intent=${encodeURIComponent(intent)}`),
      intentLike.map((intent) => JSON.stringify({ deleteCalendar: true, intent })),
    ),
    { nil: undefined },
  );

  const request = fc.record({
    route: fc.oneof(
      fc.constantFrom(...routes),
      fc.record({
        method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        path: fc.string({ maxLength: 30 }).map((p) => `/${p}`),
      }),
    ),
    query,
    headers,
    body,
    isBase64Encoded: fc.boolean(),
  });

  /** Mostly valid starts with hostile return_to values, so the redirect path is exercised too. */
  const nearlyValidStart = fc.record({
    route: fc.constant(routes[0]),
    query: fc.tuple(text, fc.boolean()).map(
      ([returnTo, withIntent]) =>
        ({
          token: '__valid__',
          return_to: returnTo,
          ...(withIntent ? { intent: '__bound__' } : {}),
        }) as Record<string, string>,
    ),
    headers,
    body: fc.constant(undefined),
    isBase64Encoded: fc.constant(false),
  });

  /** The connect form with a real intent for a hostile return_to, so the redirect to Google is reached too. */
  const nearlyValidForm = fc.record({
    route: fc.constant(routes[1]),
    query: fc.constant(undefined),
    headers: fc.constant({
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: new URL(RETURN_TO).origin,
    }),
    body: fc
      .oneof(text, fc.constant(RETURN_TO))
      .map(
        (returnTo) =>
          `token=__valid__&return_to=${encodeURIComponent(returnTo)}&intent=__intent_for_${encodeURIComponent(returnTo)}__`,
      ),
    isBase64Encoded: fc.constant(false),
  });

  /** `__intent__`: a fresh connect intent for the valid token; `__intent_for_<return_to>__`: one bound to it. */
  const withToken = (value: string) =>
    value
      .replace(/__intent_for_(.*?)__(?=&|$)/g, (_, returnTo: string) =>
        encodeURIComponent(h.mintIntent('connect', validToken, { returnTo: decodeURIComponent(returnTo) })),
      )
      .replaceAll('__intent__', h.mintIntent('connect', validToken))
      .replaceAll('__valid__', validToken);
  const substitute = <T>(value: T): T =>
    typeof value === 'string'
      ? (withToken(value) as T)
      : Array.isArray(value)
        ? (value.map(substitute) as T)
        : value && typeof value === 'object'
          ? (Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)])) as T)
          : value;

  it('answers every request with a status below 500 and no stack trace', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { arbitrary: request, weight: 5 },
          { arbitrary: nearlyValidStart, weight: 1 },
          { arbitrary: nearlyValidForm, weight: 1 },
        ),
        async (generated) => {
          const rest: RestRequest = {
            method: generated.route.method,
            path: generated.route.path,
            ...(generated.query ? { query: substitute(generated.query) } : {}),
            headers: substitute(generated.headers) as Record<string, string>,
            ...(generated.body !== undefined ? { body: substitute(generated.body) } : {}),
            isBase64Encoded: generated.isBase64Encoded,
          };
          // `__bound__`: a connect intent bound to the query's own return_to (the confirmation page is shown).
          if (rest.query?.intent === '__bound__') {
            const returnTo = rest.query.return_to;
            rest.query.intent = h.mintIntent('connect', validToken, {
              returnTo: typeof returnTo === 'string' ? returnTo : '',
            });
          }
          const response = await h.invoke(rest);
          seen.add(response.statusCode);
          expect(response.statusCode).toBeGreaterThanOrEqual(200);
          expect(response.statusCode).toBeLessThan(500);
          expect(response.body).not.toMatch(/\n\s+at .+:\d+:\d+/);
          if (response.statusCode !== 302)
            expect(header(response, 'Content-Type')).toMatch(/^(text\/html|application\/json)/);
        },
      ),
      { numRuns: 300 },
    );
    // The generator reaches the routes' real work, not only their first refusal.
    expect([...seen].sort()).toEqual(expect.arrayContaining([200, 302, 400, 401, 403, 404]));
  });
});
