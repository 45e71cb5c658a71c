import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevService, startDevService } from '../../../dev/service.ts';
import { hostEventsPath } from '../../../dev/service-env.ts';
import { runHostCheck } from '../../../tools/host-check.ts';

/** `npm run host-check` against the local run's demo host (a host done with the kit), and against broken hosts. */
describe('npm run host-check', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ics-sync-host-check-'));
  let service: DevService;
  let keysText: string;
  let broken: Server;
  let brokenUrl: string;

  beforeAll(async () => {
    service = await startDevService(
      {
        port: 0,
        emulatorPort: 0,
        dataDir,
        google: { mode: 'emulator' },
        fresh: false,
        env: { POWERTOOLS_LOG_LEVEL: 'ERROR' },
      },
      () => undefined,
    );
    const secrets = JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8'));
    keysText = `${secrets.hostKeyId}:${secrets.hostKey}`;
    // A careless host: its page's intent has a MAC over the wrong bytes, and its endpoint takes anything.
    broken = createServer((request, response) => {
      if (request.method === 'POST') {
        response.writeHead(204).end();
        return;
      }
      const payload = Buffer.from(
        JSON.stringify({
          action: 'connect',
          feed: 'a'.repeat(64),
          exp: Math.floor(Date.now() / 1000) + 300,
          nonce: 'n'.repeat(22),
          return_to: '',
        }),
      ).toString('base64url');
      const mac = createHmac('sha256', Buffer.from(secrets.hostKey, 'hex'))
        .update(payload)
        .digest('base64url');
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        `<form method="post" action="/start"><input type="hidden" name="token" value="demo-feed"><input type="hidden" name="intent" value="v1.${secrets.hostKeyId}.${payload}.${mac}"></form>`,
      );
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    await service?.close();
    await new Promise<void>((resolve) => broken?.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("passes the demo host's page and its host-event endpoint", async () => {
    const checks = await runHostCheck({
      url: `${service.baseUrl}/`,
      eventsUrl: `${service.baseUrl}${hostEventsPath}`,
      keysText,
    });
    expect(checks.map((check) => check.name)).toEqual([
      expect.stringContaining('form 1'),
      'signed event',
      'tampered event',
      'replayed event',
    ]);
    expect(checks.filter((check) => !check.ok)).toEqual([]);
  });

  it('fails a page whose intent the service would refuse, and an endpoint that takes tampered events', async () => {
    const checks = await runHostCheck({ url: `${brokenUrl}/`, eventsUrl: `${brokenUrl}/events`, keysText });
    const byName = Object.fromEntries(checks.map((check) => [check.name.split(' (')[0], check]));
    expect(byName['form 1']).toMatchObject({
      ok: false,
      detail: expect.stringContaining('intent_bad_signature'),
    });
    expect(byName['signed event']?.ok).toBe(true);
    expect(byName['tampered event']?.ok).toBe(false);
    expect(byName['replayed event']?.ok).toBe(false);
  });

  it('fails the demo page when checked with a key the host does not sign with', async () => {
    const checks = await runHostCheck({
      url: `${service.baseUrl}/`,
      keysText: `other-key:${'ab'.repeat(32)}`,
    });
    expect(checks).toEqual([
      expect.objectContaining({ ok: false, detail: expect.stringContaining('intent_unknown_key') }),
    ]);
  });
});
