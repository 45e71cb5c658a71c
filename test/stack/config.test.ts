import { describe, expect, it } from 'vitest';
import { parseStackConfig, SETTINGS, StackConfigError } from '../../lib/config.ts';

const required = {
  feedUrlTemplate: 'https://ics.example.com/feeds/{token}.ics',
  returnToAllowList: 'https://ics.example.com/account',
};
const fromContext = (values: Record<string, unknown>) => (key: string) => values[key];

describe('the stack configuration', () => {
  it('takes context first, then the environment, then defaults', () => {
    const config = parseStackConfig(fromContext({ ...required, syncIntervalMinutes: 5 }), {
      SYNC_INTERVAL_MINUTES: '30',
      CALENDAR_TIME_ZONE: 'Europe/Berlin',
    });
    expect(config).toMatchObject({
      stage: 'dev',
      target: 'aws',
      syncIntervalMinutes: 5,
      calendarTimeZone: 'Europe/Berlin',
      defaultReturnTo: 'https://ics.example.com/account',
      googleProjectQuotaPerMinute: 10_000,
      connectIntents: 'required',
      waf: true,
    });
  });

  it('accepts cdk.json values (numbers, booleans, lists) as well as strings', () => {
    const config = parseStackConfig(
      fromContext({
        ...required,
        returnToAllowList: ['https://a.example/x', 'https://b.example/y'],
        waf: false,
      }),
      {},
    );
    expect(config.returnToAllowList).toEqual(['https://a.example/x', 'https://b.example/y']);
    expect(config.waf).toBe(false);
  });

  it('turns WAF off by default on LocalStack, which has none', () => {
    expect(parseStackConfig(fromContext({ ...required, target: 'localstack' }), {}).waf).toBe(false);
  });

  it('lists every problem at once, naming the context key and the variable', () => {
    let error: unknown;
    try {
      parseStackConfig(
        fromContext({ stage: 'Prod!', feedUrlTemplate: 'https://x.example/feed.ics', waf: 'maybe' }),
        {},
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StackConfigError);
    const problems = (error as StackConfigError).problems.join('\n');
    expect(problems).toMatch(/stage \(-c stage=\.\.\. or STAGE\)/);
    expect(problems).toMatch(/feedUrlTemplate .*\{token\}/);
    expect(problems).toMatch(/returnToAllowList .*RETURN_TO_ALLOWLIST.*required/);
    expect(problems).toMatch(/waf/);
  });

  it('refuses a Google emulator outside LocalStack and half-configured host events', () => {
    expect(() =>
      parseStackConfig(fromContext({ ...required, googleApiBaseUrl: 'http://127.0.0.1:8788' }), {}),
    ).toThrow(/googleApiBaseUrl/);
    expect(() =>
      parseStackConfig(fromContext({ ...required, hostEventsUrl: 'https://h.example/e' }), {}),
    ).toThrow(/hostEventsKeyId/);
  });

  it('keeps the quota where the worker concurrency can still honour it', () => {
    expect(() =>
      parseStackConfig(fromContext({ ...required, googleProjectQuotaPerMinute: 1000 }), {}),
    ).toThrow(/googleProjectQuotaPerMinute/);
  });

  it('documents every setting in the table of docs/operating.md', async () => {
    const { readFileSync } = await import('node:fs');
    const guide = readFileSync(new URL('../../docs/operating.md', import.meta.url), 'utf8');
    for (const [key, { env }] of Object.entries(SETTINGS)) {
      expect(guide, key).toContain(`\`${key}\``);
      expect(guide, env).toContain(`\`${env}\``);
    }
  });
});
