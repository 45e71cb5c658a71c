import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiHarness, HOST_KEYS, sha256Hex } from './harness.ts';

/**
 * Captures stdout, stderr and the console during "sync now" and change notifications (accepted and refused) and
 * checks that no feed token, feed digest, signature, nonce or key appears.
 */
describe('the sync routes never log a token, a signature or a key', () => {
  const h = new ApiHarness();
  beforeAll(async () => {
    await h.open({ logLevel: 'DEBUG' });
  });
  afterAll(async () => h.close());

  it('logs counts and the subscriber id only', async () => {
    const { feedToken, subscriberId } = await h.connected('logs@example.com');
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
    const secrets = [
      feedToken,
      sha256Hex(feedToken),
      HOST_KEYS.current.toString('base64'),
      HOST_KEYS.current.toString('base64url'),
      HOST_KEYS.previous.toString('hex'),
      HOST_KEYS.previous.toString('base64'),
    ];
    try {
      await h.syncNow(feedToken);
      await h.syncNow(feedToken); // 429
      await h.syncNow('unknown-token-never-logged');
      const body = JSON.stringify({ feeds: [sha256Hex(feedToken)] });
      for (const options of [
        {},
        { keyId: 'previous', key: HOST_KEYS.previous },
        { key: randomBytes(32) }, // bad signature
        { timestamp: 1 }, // expired
      ]) {
        const nonce = randomBytes(24).toString('base64url');
        const response = await h.notify(body, { nonce, ...options });
        secrets.push(nonce);
        if (response.statusCode === 202) {
          // The replay of an accepted request.
          await h.notify(body, { nonce, ...options });
        }
      }
      await h.notify('{"feeds": [garbage', {});
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const logs = output.join('\n');
    expect(logs).toContain('"message":"sync requested"');
    expect(logs).toContain('"message":"change notification"');
    expect(logs).toContain('"code":"bad_signature"');
    expect(logs).toContain('"code":"replayed_nonce"');
    expect(logs).toContain(subscriberId);
    for (const secret of secrets) {
      expect(logs.includes(secret), `a secret (${secret.slice(0, 4)}...) appears in the logs`).toBe(false);
    }
    // No signature header value: every X-Signature is 43 base64url characters.
    expect(logs).not.toMatch(/x-signature/i);
    await h.takeQueued();
  });
});
