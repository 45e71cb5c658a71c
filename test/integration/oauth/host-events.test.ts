import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { INTENT_KEY_IDS, INTENT_KEYS, json, location, OAuthHarness, RETURN_TO } from './harness.ts';

interface Received {
  body: Record<string, unknown>;
  raw: string;
  verified: boolean;
}

/**
 * The host's endpoint: checks each request's signature as the host would (its own code, written from the
 * README's description, not the service's), then answers with the next scripted status (200 once they run out).
 */
class HostServer {
  readonly received: Received[] = [];
  statuses: number[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => String(request.headers[name] ?? '');
        const canonical = [
          header('x-signature-timestamp'),
          header('x-signature-nonce'),
          request.method,
          new URL(request.url ?? '/', 'http://host').pathname,
          createHash('sha256').update(raw).digest('hex'),
        ].join('\n');
        const expected = createHmac('sha256', INTENT_KEYS.current).update(canonical).digest();
        const given = Buffer.from(header('x-signature'), 'base64url');
        const verified =
          header('x-signature-key-id') === INTENT_KEY_IDS.current &&
          given.length === expected.length &&
          timingSafeEqual(given, expected) &&
          Math.abs(Number(header('x-signature-timestamp')) - Date.now() / 1000) <= 300;
        this.received.push({ body: JSON.parse(raw), raw, verified });
        response.writeHead(verified ? (this.statuses.shift() ?? 200) : 401).end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/google-sync`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('telling the host about connections (signed, retried, never failing the request)', () => {
  const host = new HostServer();
  const h = new OAuthHarness();
  beforeAll(async () => {
    await host.start();
    await h.open({ env: { HOST_EVENTS_URL: host.url, HOST_EVENTS_KEY_ID: INTENT_KEY_IDS.current } });
  });
  afterAll(async () => {
    await h.close();
    await host.close();
  });
  beforeEach(() => {
    host.received.length = 0;
    host.statuses = [];
  });

  it('connected, replaced (another account) and disconnected, each signed, naming the feed by its digest', async () => {
    const feedToken = h.newFeedToken();
    await h.connect(feedToken, { email: 'told-a@example.com' });
    await h.connect(feedToken, { email: 'told-b@example.com' });
    expect(json(await h.disconnect(feedToken))).toMatchObject({ disconnected: true });
    expect(host.received.map((r) => r.verified)).toEqual([true, true, true]);
    expect(host.received.map((r) => r.body)).toEqual([
      { event: 'connected', feed: sha256(feedToken), at: expect.any(String) },
      { event: 'replaced', feed: sha256(feedToken), at: expect.any(String), googleAccountChanged: true },
      { event: 'disconnected', feed: sha256(feedToken), at: expect.any(String) },
    ]);
    for (const { raw } of host.received) expect(raw).not.toContain(feedToken);
  });

  it('retries a host that fails for a moment', async () => {
    host.statuses = [503, 503];
    const feedToken = h.newFeedToken();
    const { response } = await h.connect(feedToken, { email: 'told-retry@example.com' });
    expect(location(response)).toBe(`${RETURN_TO}?google=connected`);
    expect(host.received).toHaveLength(3);
    expect(host.received.every((r) => r.verified)).toBe(true);
  });

  it('a host that keeps failing costs three tries, and the user still gets connected', async () => {
    host.statuses = [500, 500, 500, 500, 500];
    const feedToken = h.newFeedToken();
    const { response } = await h.connect(feedToken, { email: 'told-down@example.com' });
    expect(location(response)).toBe(`${RETURN_TO}?google=connected`);
    expect(host.received).toHaveLength(3);
    expect(json(await h.status(feedToken))).toMatchObject({ status: 'connected' });
  });
});
