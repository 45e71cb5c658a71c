import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyHostSignature } from '../../../lambdas/shared/adapters/http/host-signature.ts';
import { StaticHostKeyRing } from '../../../lambdas/shared/adapters/secrets/host-keys.ts';
import { parseStrictJson } from '../../../lambdas/shared/domain/strict-json.ts';
import {
  canonicalRequest,
  signHostRequest,
  verifySignedRequest,
} from '../../../lambdas/shared/host-signature.ts';

const key = Buffer.alloc(32, 1);
const keys = new StaticHostKeyRing(new Map([['k1', key]]));
const body = '{"feeds":[]}';
const parts = {
  timestamp: '1767225600',
  nonce: 'n0nce-0123456789ab',
  method: 'post',
  path: '/api/google-sync/notify',
  body,
};

describe('host request signatures', () => {
  it('signs the documented canonical string', () => {
    const digest = createHash('sha256').update(body).digest('hex');
    expect(canonicalRequest(parts)).toBe(
      `1767225600\nn0nce-0123456789ab\nPOST\n/api/google-sync/notify\n${digest}`,
    );
    const expected = createHmac('sha256', key).update(canonicalRequest(parts)).digest('base64url');
    expect(signHostRequest(key, parts)).toBe(expected);
    expect(expected).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('verifies a request signed at the edge of the ±5 minute window, not beyond', async () => {
    const headers = (timestamp: string) => ({
      'x-signature-key-id': 'k1',
      'x-signature-timestamp': timestamp,
      'x-signature-nonce': parts.nonce,
      'x-signature': signHostRequest(key, { ...parts, timestamp }),
    });
    const request = (timestamp: string) => ({
      method: 'POST',
      path: parts.path,
      header: (name: string) => headers(timestamp)[name as keyof ReturnType<typeof headers>],
      body: Buffer.from(body),
    });
    const now = new Date(1767225600_000);
    await expect(verifySignedRequest(keys, request('1767225300'), now)).resolves.toMatchObject({
      keyId: 'k1',
    });
    await expect(verifySignedRequest(keys, request('1767225900'), now)).resolves.toBeDefined();
    await expect(verifySignedRequest(keys, request('1767225299'), now)).rejects.toMatchObject({
      code: 'timestamp_out_of_range',
    });
    // A server answering by itself (the demo host) gets the refusal as its HTTP answer.
    await expect(verifyHostSignature(keys, request('1767225299'), now)).rejects.toMatchObject({
      statusCode: 401,
      code: 'timestamp_out_of_range',
    });
  });
});

describe('signed text is read strictly', () => {
  it('refuses a signature whose unused trailing bits are set, though it decodes to the right bytes', async () => {
    const signature = signHostRequest(key, parts);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const variant = `${signature.slice(0, -1)}${alphabet[alphabet.indexOf(signature.at(-1) as string) ^ 1]}`;
    expect(Buffer.from(variant, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    const headers: Record<string, string> = {
      'x-signature-key-id': 'k1',
      'x-signature-timestamp': parts.timestamp,
      'x-signature-nonce': parts.nonce,
    };
    const request = (presented: string) => ({
      method: 'POST',
      path: parts.path,
      header: (name: string) => (name === 'x-signature' ? presented : headers[name]),
      body: Buffer.from(body),
    });
    const now = new Date(Number(parts.timestamp) * 1000);
    await expect(verifySignedRequest(keys, request(signature), now)).resolves.toBeDefined();
    await expect(verifySignedRequest(keys, request(variant), now)).rejects.toMatchObject({
      code: 'bad_signature',
    });
  });

  it('parses JSON that names a member twice as an error, escapes decoded', () => {
    expect(parseStrictJson('{"feeds":["a"],"nested":{"feeds":1},"list":[{"x":1},{"x":2}]}')).toEqual({
      feeds: ['a'],
      nested: { feeds: 1 },
      list: [{ x: 1 }, { x: 2 }],
    });
    expect(() => parseStrictJson('{"feeds":[],"feeds":["a"]}')).toThrow(SyntaxError);
    expect(() => parseStrictJson('{"feeds":[], "f\\u0065eds" : ["a"]}')).toThrow(SyntaxError);
    expect(() => parseStrictJson('{"b":"x\\",\\"b\\":1","c":2}')).not.toThrow();
    expect(() => parseStrictJson('[{"a":{"b":"\\\\","b":2}}]')).toThrow(SyntaxError);
    expect(() => parseStrictJson('{"a":1')).toThrow(SyntaxError);
    expect(parseStrictJson(`${'['.repeat(5000)}${']'.repeat(5000)}`)).toBeDefined();
  });
});
