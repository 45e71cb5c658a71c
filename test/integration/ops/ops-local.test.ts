import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FEED_TOKEN } from '../../../dev/demo-host/demo-feed.ts';
import { readLocalRunFile } from '../../../dev/local-run-file.ts';
import { type DevService, EMULATOR_USER, startDevService } from '../../../dev/service.ts';
import { runOps } from '../../../tools/ops/cli.ts';
import { submitConsent } from '../../support/google-emulator.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

/**
 * The operator's command line against a started local run (`npm run dev` as the tests start it): a connected
 * demo subscriber, then the commands of the issue, driven through the CLI's own entry (and once as a process).
 */
describe('npm run ops -- --local', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ics-sync-ops-'));
  let service: DevService;
  const env = { DEV_DATA_DIR: dataDir, OPS_OPERATOR: 'test-operator' } as NodeJS.ProcessEnv;

  /** Runs one command: its exit code, stdout, stderr (audit lines included). */
  const ops = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runOps([...argv, '--local'], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      env,
    });
    return { code, stdout, stderr, audits: auditLines(stderr) };
  };
  const inspectJson = async () => {
    const { code, stdout } = await ops('inspect', '--feed-token', DEMO_FEED_TOKEN, '--json');
    expect(code).toBe(0);
    return JSON.parse(stdout) as {
      subscriberId: string;
      state: string;
      lastSync: { outcome: string; finishedAt: string } | null;
      events: number | null;
      connection: { scheduled: boolean; operatorPausedAt?: string } | null;
      nextScheduledCheck: string | null;
    };
  };

  beforeAll(async () => {
    service = await startDevService(
      {
        port: 0,
        emulatorPort: 0,
        dataDir,
        google: { mode: 'emulator' },
        fresh: false,
        env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
      },
      () => undefined,
    );
    // Connect the demo subscriber as the subscription page's form does.
    const html = await (await fetch(`${service.baseUrl}/`)).text();
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] as string;
    const start = await fetch(`${service.baseUrl}/api/google-oauth/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: service.baseUrl },
      body: new URLSearchParams({
        token: field('token'),
        return_to: field('return_to'),
        intent: field('intent'),
      }),
      redirect: 'manual',
    });
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const callback = await submitConsent(start.headers.get('location') as string, {
      email: EMULATOR_USER.email,
    });
    await fetch(callback, { headers: { cookie }, redirect: 'manual' });
  }, 60_000);
  afterAll(async () => {
    await service?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('inspects the connected subscriber by feed token, as JSON, with state, last sync and events', async () => {
    await expect
      .poll(async () => (await inspectJson()).lastSync?.outcome, { timeout: 20_000 })
      .toBe('synced');
    const view = await inspectJson();
    expect(view.state).toBe('connected');
    expect(view.events).toBeGreaterThan(0);
    expect(view.nextScheduledCheck).not.toBeNull();
    // By subscriber id, the same subscriber; the token itself is never printed.
    const byId = await ops('inspect', '--subscriber', view.subscriberId);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toContain('state            connected');
    expect(byId.stdout + byId.stderr).not.toContain(DEMO_FEED_TOKEN);
  });

  it('prints the same JSON from `npm run --silent ops` as a process', async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'ops', '--', '--local', 'inspect', '--feed-token', DEMO_FEED_TOKEN, '--json'],
      { cwd: repoRoot, env: { ...process.env, ...env } },
    );
    const view = JSON.parse(stdout);
    expect(view).toMatchObject({ state: 'connected', lastSync: { outcome: 'synced' } });
    expect(view.events).toBeGreaterThan(0);
  }, 60_000);

  it('resync queues a sync that runs, past the subscriber\'s "sync now" limit, with one audit line', async () => {
    const before = (await inspectJson()).lastSync?.finishedAt;
    // Twice in a row: the subscriber's own limit (one a minute) would refuse the second.
    for (let i = 0; i < 2; i += 1) {
      const run = await ops('resync', '--feed-token', DEMO_FEED_TOKEN, '--yes');
      expect(run.code).toBe(0);
      expect(run.audits).toEqual([expect.objectContaining({ action: 'resync', operator: 'test-operator' })]);
    }
    await expect
      .poll(async () => (await inspectJson()).lastSync?.finishedAt, { timeout: 20_000 })
      .not.toBe(before);
  });

  it('asks before a change and changes nothing when not confirmed', async () => {
    const run = await ops('pause', '--feed-token', DEMO_FEED_TOKEN);
    expect(run.code).toBe(1);
    expect(run.audits).toEqual([]);
    expect((await inspectJson()).state).toBe('connected');
  });

  it('pause holds every sync (a resync is refused, the schedule drops it), resume brings it back', async () => {
    const paused = await ops('pause', '--feed-token', DEMO_FEED_TOKEN, '--yes', '--json');
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({ state: 'paused', changed: true });
    expect(paused.audits).toEqual([expect.objectContaining({ action: 'pause' })]);
    const view = await inspectJson();
    expect(view).toMatchObject({ state: 'paused', nextScheduledCheck: null });
    expect(view.connection?.scheduled).toBe(false);
    expect((await ops('resync', '--feed-token', DEMO_FEED_TOKEN, '--yes')).code).toBe(1);

    const resumed = await ops('resume', '--feed-token', DEMO_FEED_TOKEN, '--yes', '--json');
    expect(JSON.parse(resumed.stdout)).toMatchObject({ state: 'connected', changed: true });
    const after = await inspectJson();
    expect(after.state).toBe('connected');
    expect(after.connection?.scheduled).toBe(true);
    expect(after.connection?.operatorPausedAt).toBeUndefined();
  });

  it('lists the dead letters, and redrives one by id onto the sync queue', async () => {
    const run = readLocalRunFile(dataDir);
    if (!run) throw new Error('the local run wrote no local-run file');
    const sqs = new SQSClient({
      endpoint: run.sqsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const body = JSON.stringify({
        subscriberId: 'f'.repeat(64),
        reason: 'scheduled',
        requestedAt: new Date().toISOString(),
      });
      const { MessageId } = await sqs.send(
        new SendMessageCommand({ QueueUrl: run.deadLetterQueueUrl, MessageBody: body }),
      );
      const listed = await ops('dlq', 'list', '--json');
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual([
        expect.objectContaining({ messageId: MessageId, subscriberId: 'f'.repeat(64), reason: 'scheduled' }),
      ]);
      // Listing hides nothing: the letter is still there for the next command.
      expect(JSON.parse((await ops('dlq', 'list', '--json')).stdout)).toHaveLength(1);

      const redriven = await ops('dlq', 'redrive', '--id', MessageId as string, '--yes', '--json');
      expect(JSON.parse(redriven.stdout)).toEqual({ redriven: [MessageId] });
      expect(redriven.audits).toEqual([
        expect.objectContaining({ action: 'dlq redrive', messageId: MessageId }),
      ]);
      expect(JSON.parse((await ops('dlq', 'list', '--json')).stdout)).toEqual([]);
      // The worker takes it off the sync queue (an unknown subscriber: skipped).
      await expect
        .poll(
          async () =>
            (await sqs.send(new ReceiveMessageCommand({ QueueUrl: run.queueUrl, VisibilityTimeout: 0 })))
              .Messages?.length ?? 0,
          { timeout: 20_000 },
        )
        .toBe(0);
    } finally {
      sqs.destroy();
    }
  });

  it('counts connections and syncs in stats, and answers --help for every command', async () => {
    const run = await ops('stats', '--json');
    expect(run.code).toBe(0);
    const stats = JSON.parse(run.stdout);
    expect(stats.connections).toEqual({ connected: 1 });
    expect(stats.syncs.lastHour.synced ?? 0).toBeGreaterThanOrEqual(0);
    for (const command of ['inspect', 'resync', 'pause', 'resume', 'disconnect', 'dlq', 'stats']) {
      const help = await ops(command, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`npm run ops -- ${command}`);
    }
  });

  it("disconnects through the subscriber's own path", async () => {
    const run = await ops('disconnect', '--feed-token', DEMO_FEED_TOKEN, '--yes', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      disconnected: true,
      googleAccess: 'revoked',
      calendar: 'kept',
    });
    expect((await inspectJson()).state).toBe('not_connected');
  });
});

function auditLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{"audit"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
