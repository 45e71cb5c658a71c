/**
 * What the LocalStack suite needs besides LocalStack: whether LocalStack answers, where its API Gateway serves a
 * deployed REST API, the stack's outputs, and SDK settings that match what cdklocal deployed with. Pure or
 * local-only, so test/localstack/helpers.test.ts checks them without LocalStack.
 */
import { DEFAULT_LOCALSTACK_ENDPOINT } from '../../tools/localstack-deploy.ts';

export { DEFAULT_LOCALSTACK_ENDPOINT };

/** How LocalStack's Lambda containers reach this machine, unless LOCALSTACK_HOST_ADDRESS says otherwise. */
export const DEFAULT_HOST_ADDRESS = 'host.docker.internal';

/** LOCALSTACK_ENDPOINT (default http://127.0.0.1:4566), without a trailing slash. */
export function localStackEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.LOCALSTACK_ENDPOINT?.trim() || DEFAULT_LOCALSTACK_ENDPOINT).replace(/\/+$/, '');
}

/** The host name or address of this machine as LocalStack's Lambda containers see it. */
export function hostAddressForContainers(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCALSTACK_HOST_ADDRESS?.trim() || DEFAULT_HOST_ADDRESS;
}

/** The line the suite writes to stderr when it skips. */
export function skipNotice(endpoint: string): string {
  return `LocalStack suite skipped: no LocalStack at ${endpoint} (start LocalStack and run npm run test:localstack; see README, LocalStack)`;
}

export type LocalStackProbe =
  | {
      reachable: true;
      /** Service name -> state as the health endpoint reports it (`available`, `running`, `disabled`, ...). */
      services: Record<string, string>;
      version?: string;
      edition?: string;
    }
  | { reachable: false; reason: string };

/**
 * Asks `<endpoint>/_localstack/health`. LocalStack is there when it answers 200 with a JSON object holding a
 * `services` map; anything else (no listener, a timeout, another server) counts as absent, with the reason.
 */
export async function probeLocalStack(
  endpoint: string,
  { timeoutMs = 1_500 }: { timeoutMs?: number } = {},
): Promise<LocalStackProbe> {
  const url = `${endpoint.replace(/\/+$/, '')}/_localstack/health`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const text = await response.text();
    if (response.status !== 200)
      return { reachable: false, reason: `${url} answered HTTP ${response.status}` };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { reachable: false, reason: `${url} did not answer JSON` };
    }
    const { services, version, edition } = (body ?? {}) as Record<string, unknown>;
    if (!services || typeof services !== 'object' || Array.isArray(services)) {
      return { reachable: false, reason: `${url} answered without a services map (not LocalStack)` };
    }
    return {
      reachable: true,
      services: Object.fromEntries(Object.entries(services).map(([name, state]) => [name, String(state)])),
      ...(typeof version === 'string' ? { version } : {}),
      ...(typeof edition === 'string' ? { edition } : {}),
    };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      return { reachable: false, reason: `${url} did not answer within ${timeoutMs} ms` };
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { reachable: false, reason: `${url}: ${cause?.code ?? cause?.message ?? String(error)}` };
  }
}

/** The services the stack uses; LocalStack must not report any of them disabled or failed. */
export const STACK_SERVICES = [
  'apigateway',
  'cloudformation',
  'dynamodb',
  'events',
  'iam',
  'kms',
  'lambda',
  'logs',
  's3',
  'secretsmanager',
  'sqs',
  'ssm',
  'sts',
] as const;

/** Those the probe reports in a state that cannot serve (`disabled`, `error`); unknown ones are not judged. */
export function unusableServices(services: Record<string, string>): string[] {
  return STACK_SERVICES.filter((name) => ['disabled', 'error'].includes(services[name] ?? ''));
}

export interface RestApiAddress {
  apiId: string;
  stage: string;
  /** Present when the URL names one (`<id>.execute-api.<region>.amazonaws.com`). */
  region?: string;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * The REST API and stage behind a stage URL: AWS's `https://<id>.execute-api.<region>.<suffix>/<stage>/...`
 * (the ApiUrl and OAuthRedirectUri outputs), LocalStack's `http://<id>.execute-api.localhost.localstack.cloud:4566/<stage>/...`,
 * or LocalStack's path form `<endpoint>/restapis/<id>/<stage>/_user_request_/...`.
 */
export function restApiOf(stageUrl: string): RestApiAddress & { path: string } {
  const url = new URL(stageUrl);
  const pathForm =
    /^\/restapis\/([^/]+)\/([^/]+)\/_user_request_(\/.*)?$/.exec(url.pathname) ??
    /^\/_aws\/execute-api\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
  if (pathForm) {
    return { apiId: pathForm[1] as string, stage: pathForm[2] as string, path: pathForm[3] ?? '/' };
  }
  const host = /^([a-z0-9]+)\.execute-api\.(.+)$/i.exec(url.hostname);
  const stage = /^\/([^/]+)(\/.*)?$/.exec(url.pathname);
  if (!host || !stage) throw new Error(`not a REST API stage URL: ${stageUrl}`);
  const region = (host[2] as string).split('.')[0] as string;
  return {
    apiId: host[1] as string,
    stage: stage[1] as string,
    path: stage[2] ?? '/',
    ...(REGION.test(region) ? { region } : {}),
  };
}

/**
 * `path` (with its query) of the API as LocalStack serves it: `<endpoint>/_aws/execute-api/<id>/<stage><path>`
 * (the `_user_request_` form is deprecated), reachable without the `*.localhost.localstack.cloud` DNS names.
 */
export function localStackApiUrl(endpoint: string, api: RestApiAddress, pathAndQuery: string): string {
  const rest = pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
  return `${endpoint.replace(/\/+$/, '')}/_aws/execute-api/${api.apiId}/${api.stage}${rest}`;
}

/** A URL of the deployed API as AWS names it (a redirect to the callback), made reachable on LocalStack. */
export function toLocalStackUrl(endpoint: string, awsUrl: string): string {
  const url = new URL(awsUrl);
  const api = restApiOf(awsUrl);
  return localStackApiUrl(endpoint, api, `${api.path}${url.search}`);
}

/** The same URL on another origin (the emulator's address as the containers see it -> as this process does). */
export function withOrigin(url: string, origin: string): string {
  const parsed = new URL(url);
  const target = new URL(origin);
  parsed.protocol = target.protocol;
  parsed.host = target.host;
  return parsed.toString();
}

export const OUTPUT_NAMES = [
  'ApiUrl',
  'OAuthRedirectUri',
  'GoogleClientSecretArn',
  'SubscriberIdKeySecretArn',
  'HostKeysSecretArn',
  'SyncQueueUrl',
  'DeadLetterQueueUrl',
  'SchedulerTickFunctionName',
] as const;

export type StackOutputs = Record<(typeof OUTPUT_NAMES)[number], string>;

/** One stack's outputs from a `--outputs-file` (`{ "<stack>": { "<output>": "<value>" } }`), all of them. */
export function readStackOutputs(file: unknown, stackName: string): StackOutputs {
  const stacks = (file ?? {}) as Record<string, unknown>;
  const outputs = stacks[stackName] as Record<string, unknown> | undefined;
  if (!outputs || typeof outputs !== 'object') {
    throw new Error(
      `no outputs of ${stackName} (stacks in the file: ${Object.keys(stacks).join(', ') || 'none'})`,
    );
  }
  const missing = OUTPUT_NAMES.filter((name) => typeof outputs[name] !== 'string' || outputs[name] === '');
  if (missing.length > 0) throw new Error(`${stackName} lacks the outputs ${missing.join(', ')}`);
  return Object.fromEntries(OUTPUT_NAMES.map((name) => [name, outputs[name] as string])) as StackOutputs;
}

/**
 * Credentials and region as cdklocal deploys with them, so the suite's clients see the same account: cdklocal
 * drops every AWS_* variable not named in AWS_ENVAR_ALLOWLIST and then uses `test`/`test` and us-east-1.
 */
export function localStackAwsSettings(env: NodeJS.ProcessEnv = process.env): {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  const allowed = new Set((env.AWS_ENVAR_ALLOWLIST ?? '').split(',').map((name) => name.trim()));
  const pick = (name: string) => (allowed.has(name) ? env[name]?.trim() || undefined : undefined);
  return {
    region: pick('AWS_REGION') ?? 'us-east-1',
    credentials: {
      accessKeyId: pick('AWS_ACCESS_KEY_ID') ?? 'test',
      secretAccessKey: pick('AWS_SECRET_ACCESS_KEY') ?? 'test',
    },
  };
}

/** Calls `attempt` until it returns a value; past `timeoutMs` fails with `what` and the last error or answer. */
export async function pollFor<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 2_000 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
      last = 'not yet';
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() + intervalMs > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${last})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** An ICS feed with two single events and a weekly series, all within the sync horizon from `now`. */
export function e2eFeed(now: Date): { text: string; summaries: string[] } {
  const day = (offset: number, hour: number) => {
    const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset, hour));
    return date
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  };
  const stamp = day(0, 0);
  const events = [
    { uid: 'e2e-planning', summary: 'E2E planning', start: day(1, 9), end: day(1, 10) },
    { uid: 'e2e-review', summary: 'E2E review', start: day(3, 14), end: day(3, 15) },
    {
      uid: 'e2e-weekly',
      summary: 'E2E weekly',
      start: day(2, 8),
      end: day(2, 9),
      rule: 'FREQ=WEEKLY;COUNT=3',
    },
  ];
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//ics-google-sync//localstack e2e//EN',
    'X-WR-CALNAME:LocalStack e2e',
    ...events.flatMap((event) => [
      'BEGIN:VEVENT',
      `UID:${event.uid}@e2e.example.test`,
      `DTSTAMP:${stamp}`,
      `DTSTART:${event.start}`,
      `DTEND:${event.end}`,
      `SUMMARY:${event.summary}`,
      ...(event.rule ? [`RRULE:${event.rule}`] : []),
      'END:VEVENT',
    ]),
    'END:VCALENDAR',
  ];
  return { text: `${lines.join('\r\n')}\r\n`, summaries: events.map((event) => event.summary) };
}
