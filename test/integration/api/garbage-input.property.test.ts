import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFY_PATH } from '../../../lambdas/notify/use-cases/notify-changes.ts';
import { SYNC_NOW_PATH } from '../../../lambdas/oauth/router.ts';
import { hostSignatureHeaders } from '../../../lambdas/shared/adapters/http/host-signature.ts';
import { header } from '../../support/api-gateway.ts';
import { INTENT_KEY_IDS, INTENT_KEYS } from '../oauth/harness.ts';
import { ApiHarness, HOST_KEYS, sha256Hex } from './harness.ts';

/** Garbage on "sync now" and on change notifications: always a clear 4xx (or 202), never a 5xx or a stack. */
describe('property: no input makes the sync routes answer 5xx', () => {
  const h = new ApiHarness();
  let connectedToken = '';
  beforeAll(async () => {
    await h.open({
      env: {
        RATE_LIMIT_SYNC_PER_SUBSCRIBER: '100000',
        RATE_LIMIT_SYNC_PER_IP: '100000',
        RATE_LIMIT_HOST_SYNC_PER_SUBSCRIBER: '100000',
      },
    });
    connectedToken = (await h.connected()).feedToken;
  });
  afterAll(async () => h.close());

  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ minLength: 2000, maxLength: 9000 }),
    fc.constantFrom('', ' ', '\u0000', '{"feeds":', 'null', '[]', '{"feeds":null}', '{"feeds":[1,2]}'),
  );
  const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
  const body = fc.option(
    fc.oneof(
      text,
      fc.json(),
      fc
        .array(fc.oneof(hex64, fc.constant('__connected__'), text), { maxLength: 20 })
        .map((feeds) => JSON.stringify({ feeds })),
    ),
    { nil: undefined },
  );
  const signatureHeaders = fc.record(
    {
      'X-Signature-Key-Id': fc.oneof(fc.constantFrom('current', 'previous', 'nope'), text),
      'X-Signature-Timestamp': fc.oneof(fc.nat().map(String), fc.constant('__now__'), text),
      'X-Signature-Nonce': fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/), text),
      'X-Signature': fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), text),
      // Mostly the connected token: with a valid signature (sign) "sync now" then reaches its 202.
      Authorization: fc.oneof(
        { arbitrary: fc.constant('Bearer __connected__'), weight: 8 },
        fc.constant('Bearer unknown-token-123'),
        text.map((t) => `Bearer ${t}`),
        text,
      ),
      'Content-Type': fc.oneof(fc.constantFrom('application/json', 'text/plain'), text),
    },
    { requiredKeys: [] },
  );
  const request = fc.record({
    path: fc.constantFrom(SYNC_NOW_PATH, NOTIFY_PATH, `${NOTIFY_PATH}/x`, '/api/google-sync/'),
    method: fc.constantFrom('POST', 'POST', 'GET', 'PUT'),
    headers: signatureHeaders,
    body,
    isBase64Encoded: fc.boolean(),
    /** Sign the generated body properly, so the body's own checks are reached too. */
    sign: fc.boolean(),
  });

  const substitute = (value: string) =>
    value
      .replaceAll('Bearer __connected__', `Bearer ${connectedToken}`)
      .replaceAll('__connected__', sha256Hex(connectedToken))
      .replace(/^__now__$/, String(Math.floor(h.clock.now() / 1000)));

  it('answers every request below 500, as JSON, without a stack trace', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(request, async (generated) => {
        const requestBody = generated.body === undefined ? undefined : substitute(generated.body);
        const headers = Object.fromEntries(
          Object.entries(generated.headers).map(([name, value]) => [name, substitute(value)]),
        );
        if (generated.sign && requestBody !== undefined) {
          // "Sync now" is signed with the OAuth function's host keys, notifications with the notify function's.
          const syncNow = generated.path === SYNC_NOW_PATH;
          Object.assign(
            headers,
            hostSignatureHeaders(
              syncNow ? INTENT_KEY_IDS.current : 'previous',
              syncNow ? INTENT_KEYS.current : HOST_KEYS.previous,
              {
                timestamp: String(Math.floor(h.clock.now() / 1000)),
                method: 'POST',
                path: syncNow ? SYNC_NOW_PATH : NOTIFY_PATH,
                body: generated.isBase64Encoded ? Buffer.from(requestBody, 'base64') : requestBody,
              },
            ),
          );
        }
        const rest = {
          method: generated.method,
          path: generated.path,
          headers,
          ...(requestBody !== undefined ? { body: requestBody } : {}),
          isBase64Encoded: generated.isBase64Encoded,
        };
        const response = generated.path === SYNC_NOW_PATH ? await h.invoke(rest) : await h.invokeNotify(rest);
        seen.add(response.statusCode);
        expect(response.statusCode).toBeGreaterThanOrEqual(200);
        expect(response.statusCode).toBeLessThan(500);
        expect(response.body).not.toMatch(/\n\s+at .+:\d+:\d+/);
        expect(header(response, 'Content-Type')).toMatch(/^application\/json/);
      }),
      { numRuns: 300 },
    );
    expect([...seen]).toEqual(expect.arrayContaining([202, 400, 401, 404]));
    await h.takeQueued();
  });
});
