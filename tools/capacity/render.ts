/**
 * The README's "Capacity and cost" section, made from the measured counts (docs/capacity.json), the assumptions,
 * the prices and the limits. `npm run capacity` writes it between the markers; a unit test keeps the README equal
 * to what this makes of the committed file.
 */
import { DEFAULT_CHECK_FUNCTION_CONCURRENCY, DEFAULT_WORKER_CONCURRENCY } from '../../lib/config.ts';
import { ASSUMPTIONS } from './assumptions.ts';
import {
  type Assumptions,
  type CostItem,
  checkMs,
  costAt,
  type Measurements,
  OPERATIONS,
  type Operation,
  type OperationCounts,
  SCALES,
} from './cost-model.ts';
import { limitsAtOneMillion } from './limits.ts';
import { PRICES } from './prices.ts';

/** docs/capacity.json: what `npm run capacity` measured. */
export interface CapacityFile {
  /** The day of the measurement (ISO date). */
  measuredOn: string;
  operations: Measurements;
  sources: Record<Operation, string>;
  sample: {
    writeSubscribers: number;
    checks: number;
    googleLatencyMs: number;
    eventsEditedPerChange: number;
  };
}

export const SECTION_START =
  '<!-- capacity:start (made by `npm run capacity` from docs/capacity.json and tools/capacity/: edit those, not this) -->';
export const SECTION_END = '<!-- capacity:end -->';

const OPERATION_NAMES: Record<Operation, string> = {
  unchangedCheck: 'check of an unchanged feed (per subscriber)',
  changedWrite: 'write job, changed feed',
  dailyWrite: 'daily write job, unchanged feed (audit, token check)',
  sweep: 'sweep message (its own part)',
  tick: 'scheduler tick',
  statusRequest: 'status request',
  syncNowRequest: '"sync now" request (the write job apart)',
  connect: 'connect (first sync)',
};

const COLUMNS: [keyof OperationCounts, string][] = [
  ['dynamodbReadUnits', 'DynamoDB read units'],
  ['dynamodbWriteUnits', 'write units'],
  ['kmsCalls', 'KMS calls'],
  ['googleTokenCalls', 'Google token calls'],
  ['googleUnits', 'Google units'],
  ['lambdaMs', 'Lambda ms'],
  ['lambdaMemoryMb', 'MB'],
  ['lambdaInvocations', 'invocations'],
  ['sqsRequests', 'SQS requests'],
  ['bytesLogged', 'bytes logged'],
  ['apiRequests', 'API requests'],
];

const number = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
/** Enough digits to see small counts (0.0125) without printing noise on big ones. */
const count = (value: number) => number(value, value !== 0 && Math.abs(value) < 1 ? 4 : value < 100 ? 2 : 0);
const usd = (value: number) =>
  value >= 100 ? `$${number(value)}` : value >= 0.01 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;
const perSubscriber = (value: number) => `$${value.toFixed(5)}`;
const headroom = (ratio: number) => `${number(ratio, ratio < 10 ? 2 : 0)}x`;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

const ASSUMPTION_TEXT: Record<keyof Assumptions, (a: Assumptions) => string> = {
  intervalMinutes: (a) =>
    `a check of every subscriber every ${a.intervalMinutes} minutes (the default interval): ${number((a.daysPerMonth * 1440) / a.intervalMinutes)} checks per subscriber-month`,
  daysPerMonth: (a) => `${a.daysPerMonth} days a month`,
  feedChangesPerDay: (a) => `a feed changes ${a.feedChangesPerDay} time(s) a day (each a write job)`,
  dailyWriteJobsPerDay: (a) =>
    `${a.dailyWriteJobsPerDay} daily write job per subscriber (the audit, the horizon's roll and the token check fall due together)`,
  eventsPerFeed: (a) => `${a.eventsPerFeed} events per feed`,
  eventMapItemBytes: (a) => `${a.eventMapItemBytes} bytes stored per event, `,
  subscriberItemBytes: (a) => `${number(a.subscriberItemBytes)} per subscriber besides (DynamoDB storage)`,
  statusRequestsPerSubscriberMonth: (a) =>
    `${a.statusRequestsPerSubscriberMonth} status request(s) per subscriber-month`,
  syncNowPerSubscriberMonth: (a) =>
    `${a.syncNowPerSubscriberMonth} "sync now" per subscriber-month (each an audit)`,
  connectsPerSubscriberMonth: (a) =>
    `${a.connectsPerSubscriberMonth} connects per subscriber-month (new or again)`,
  sweepShards: (a) => `${a.sweepShards} sweep messages per tick (the shards of the schedule)`,
  checksPerSweepMessage: (a) =>
    `a sweep message checks up to ${number(a.checksPerSweepMessage)} subscribers, then continues`,
  feedRoundTripMs: (a) =>
    `a feed's round trip takes ${a.feedRoundTripMs} ms in production; a sweep overlaps ${a.checkConcurrency} (CHECK_CONCURRENCY), so a check bills at least ${number(a.feedRoundTripMs / a.checkConcurrency, 1)} ms`,
  checkConcurrency: () => '',
  platformLogBytesPerInvocation: (a) =>
    `${a.platformLogBytesPerInvocation} bytes of Lambda's own log lines per invocation`,
  logRetentionMonths: (a) => `logs kept ${a.logRetentionMonths} month(s)`,
  customMetrics: (a) =>
    `${a.customMetrics} custom metrics, ${a.alarms} alarms, ${a.dashboards} dashboard, ${a.secrets} secrets, ${a.kmsKeys} KMS key, ${a.wafWebAcls} web ACL with ${a.wafRules} rules`,
  alarms: () => '',
  dashboards: () => '',
  secrets: () => '',
  kmsKeys: () => '',
  wafWebAcls: () => '',
  wafRules: () => '',
  secretReadsPerContainerHour: (a) =>
    `${a.secretReadsPerContainerHour} secret reads per warm container-hour (5-minute cache)`,
  projectQuotaPerMinute: (a) =>
    `Google project quota ${number(a.projectQuotaPerMinute)} units a minute (the default)`,
  quotaMargin: (a) => `the quota asked for is ${a.quotaMargin} times the average need (first syncs, peaks)`,
};

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

/** The section, markers included. */
export function renderCapacitySection(file: CapacityFile, a: Assumptions = ASSUMPTIONS): string {
  const m = file.operations;
  const costs = SCALES.map(({ subscribers }) => costAt(subscribers, m, a, PRICES));
  const items = Object.keys(costs[0]?.breakdown ?? {}) as CostItem[];
  const { rows: limits, capacity: c } = limitsAtOneMillion(m, a);
  const million = costs[2];
  if (!million) throw new Error('no cost at 1,000,000');
  const assumptionLines = (Object.keys(ASSUMPTION_TEXT) as (keyof Assumptions)[])
    .map((key) => ASSUMPTION_TEXT[key](a))
    .filter(Boolean);
  const storage = assumptionLines.findIndex((line) => line.endsWith(', '));
  if (storage >= 0) {
    assumptionLines.splice(storage, 2, `${assumptionLines[storage]}${assumptionLines[storage + 1]}`);
  }
  const lines: string[] = [
    SECTION_START,
    '## Capacity and cost',
    '',
    `Counted on ${file.measuredOn} by \`npm run capacity\` (the \`cost_model\` benchmark, bench/suites/cost-model.ts): each`,
    'operation runs on the real code against dynalite, fauxqs, the Google emulator, a feed server and the envelope',
    "cipher over moto's KMS. DynamoDB units are the ones DynamoDB reports (`ReturnConsumedCapacity`), KMS and SQS",
    "requests are counted in the clients, Google calls in the emulator, bytes logged on the functions' output, Lambda",
    `milliseconds on this machine's clock (Google answering after ${file.sample.googleLatencyMs} ms). Write jobs: ${file.sample.writeSubscribers} subscribers`,
    `each, in a fresh container per kind (${file.sample.eventsEditedPerChange} events edited per change); checks: ${number(file.sample.checks)}.`,
    'The model (tools/capacity/cost-model.ts) multiplies them by the assumptions and list prices below.',
    '',
    '### Per operation',
    '',
    ...table(
      ['operation', ...COLUMNS.map(([, name]) => name), 'from'],
      OPERATIONS.map((op) => [
        OPERATION_NAMES[op],
        ...COLUMNS.map(([key]) => count(m[op][key])),
        file.sources[op],
      ]),
    ),
    '',
    '### Assumptions',
    '',
    ...assumptionLines.map((line) => `- ${line};`),
    '- free tiers are left out.',
    '',
    '### Monthly cost (us-east-1 list prices)',
    '',
    ...table(
      ['item', ...SCALES.map(({ subscribers }) => `${number(subscribers)} subscribers`)],
      [
        ...items.map((item) => [item, ...costs.map((cost) => usd(cost.breakdown[item]))]),
        ['**total**', ...costs.map((cost) => `**${usd(cost.monthlyUsd)}**`)],
        ['per subscriber-month', ...costs.map((cost) => perSubscriber(cost.usdPerSubscriberMonth))],
        ['KMS share', ...costs.map((cost) => percent(cost.kmsShare))],
      ],
    ),
    '',
    `### A ${a.intervalMinutes}-minute interval at 1,000,000 subscribers`,
    '',
    `- **Checks:** 1,000,000 / ${number(c.intervalSeconds)} s = ${number(c.checksPerSecond)} a second. At ${number(checkMs(m, a), 2)} ms`,
    `  each (the larger of the measured ${number(m.unchangedCheck.lambdaMs, 2)} ms and the production floor above) the checks of one`,
    `  interval take ${number(c.checkSecondsPerInterval)} Lambda seconds: ${number(c.concurrentCheckFunctions, 1)} check invocations at once on average,`,
    `  against a limit of ${DEFAULT_CHECK_FUNCTION_CONCURRENCY}. A check needs ${count(m.unchangedCheck.kmsCalls)} KMS calls, ${count(m.unchangedCheck.googleTokenCalls)} Google token calls and ${count(m.unchangedCheck.googleUnits)} Google units.`,
    `- **The tick** sends ${a.sweepShards} sweep messages whatever the number of subscribers (measured: ${number(m.tick.lambdaMs)} ms,`,
    `  ${count(m.tick.sqsRequests)} SQS requests).`,
    `- **Write jobs:** 1,000,000 x (${a.feedChangesPerDay} change + ${a.dailyWriteJobsPerDay} daily + ${number(a.syncNowPerSubscriberMonth / a.daysPerMonth, 4)} "sync now") / 86,400 s =`,
    `  ${number(c.writeJobsPerSecond, 1)} a second, ${number(c.concurrentWriteFunctions, 1)} worker invocations at once on average against ${DEFAULT_WORKER_CONCURRENCY}.`,
    `- **Google:** ${number(c.googleUnitsPerMinute)} units a minute on average, ${percent(c.quotaShare)} of the default project quota`,
    `  (${number(a.projectQuotaPerMinute)}); ${number(c.googleRequestsPerDay)} requests a day; ${number(c.googleTokenCallsPerSecond, 1)} token calls a second.`,
    `- **KMS:** ${number(c.kmsCallsPerSecond, 3)} calls a second (data keys unwrapped once per container).`,
    '',
    c.concurrentCheckFunctions <= DEFAULT_CHECK_FUNCTION_CONCURRENCY
      ? 'So the checks of every interval end within it, with room to spare.'
      : 'So the checks of an interval do NOT end within it at the default check concurrency: raise `checkConcurrency`.',
    c.quotaToAskPerMinute > a.projectQuotaPerMinute
      ? 'The writes fit once Google grants the quota below; until then the quota budget holds them back (a backlog waits, nothing is refused).'
      : 'The writes fit the default project quota; a backlog (first syncs of many subscribers) waits for the quota budget, nothing is refused.',
    '',
    '### What to ask Google for at 1,000,000 subscribers',
    '',
    ...(c.quotaToAskPerMinute > a.projectQuotaPerMinute
      ? [
          `- **Per-minute project quota: ${number(c.quotaToAskPerMinute)} units** (${number(c.googleUnitsPerMinute)} needed on average, times ${a.quotaMargin}),`,
          '  asked for on the Quotas page of the Google Cloud',
        ]
      : [
          `- **Per-minute project quota: the default ${number(a.projectQuotaPerMinute)} units is enough** (${number(c.googleUnitsPerMinute)} needed on average, times ${a.quotaMargin}`,
          `  is ${number(c.googleUnitsPerMinute * a.quotaMargin)}). More, when growth needs it, is asked for on the Quotas page of the Google Cloud`,
        ]),
    '  console (then set `GOOGLE_PROJECT_QUOTA_PER_MINUTE` to what is granted): Google decides, and no paid tier buys a',
    '  higher per-minute quota.',
    '- **Per-user quota:** 600 a minute is enough (the engine paces a subscriber at 540 plus a burst of 40).',
    `- **Per day:** ${number(c.googleRequestsPerDay)} requests. The Calendar API's usage limits page names a daily billing threshold`,
    '  per project, past which requests are charged (1,000,000 a day there; the page gives no price); projects created from 2026-05-01 get new',
    "  quotas, and tiered quotas apply to every project from 2027-04-01, so read the project's own numbers in the Cloud",
    '  console ([Calendar API usage limits](https://developers.google.com/workspace/calendar/api/guides/quota)).',
    '',
    '### Limits at 1,000,000 subscribers',
    '',
    ...table(
      ['limit', 'set in', 'limit', 'load at 1,000,000', 'unit', 'headroom'],
      limits.map((row) => [
        row.limit,
        row.where,
        number(row.value, 1),
        number(row.load, row.load < 10 ? 2 : 0),
        row.unit,
        row.kind === 'ask' && c.quotaToAskPerMinute > row.value
          ? `ask for ${number(c.quotaToAskPerMinute)}`
          : headroom(row.value / Math.max(row.load, 1e-9)),
      ]),
    ),
    '',
    'AWS quotas are the us-east-1 defaults (DynamoDB per partition, Lambda per account, SQS in flight, KMS shared',
    'cryptographic requests, Secrets Manager); the host\'s load is sized as under "Rate limits" in',
    'docs/operating.md (each subscriber opening the settings page daily with ten status polls, four times that at the',
    "busiest minute, spread over the host's servers).",
    '',
    '### Prices',
    '',
    ...table(
      ['price', 'per', 'source', 'read'],
      Object.entries(PRICES).map(([name, price]) => [name, price.per, price.source, price.read]),
    ),
    SECTION_END,
  ];
  return `${lines.join('\n')}\n`;
}

/** `readme` with its section replaced (or added before "## Testing against Google without Google"). */
export function withCapacitySection(readme: string, section: string): string {
  const start = readme.indexOf(SECTION_START.slice(0, 22));
  const end = readme.indexOf(SECTION_END);
  if (start >= 0 && end > start)
    return readme.slice(0, start) + section + readme.slice(end + SECTION_END.length + 1);
  const anchor = readme.indexOf('## Testing against Google without Google');
  if (anchor < 0)
    throw new Error('README has neither the capacity markers nor the section to put them before');
  return `${readme.slice(0, anchor)}${section}\n${readme.slice(anchor)}`;
}

/** The section as it stands in `readme`, markers included, or undefined. */
export function capacitySectionOf(readme: string): string | undefined {
  const start = readme.indexOf(SECTION_START.slice(0, 22));
  const end = readme.indexOf(SECTION_END);
  return start >= 0 && end > start ? readme.slice(start, end + SECTION_END.length + 1) : undefined;
}
