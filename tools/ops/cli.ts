import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { ConfigError } from '../../lambdas/shared/wiring/config-parts.ts';
import {
  type DeadLetter,
  describeInspection,
  disconnectSubscriber,
  dlqList,
  dlqPurge,
  dlqRedrive,
  inspect,
  OpsError,
  type OpsIo,
  pause,
  resume,
  resync,
  type Subject,
  stats,
  subscriberIdOf,
} from './commands.ts';
import { type OpsTarget, openTarget, type TargetChoice, TargetError } from './target.ts';

/**
 * `npm run ops -- <command>`: the operator's command line (docs/operating.md, "Operating"). Parses the arguments, opens the
 * stage or the local run, runs one command and prints its result: human lines by default, one JSON document
 * with --json. Changes ask first unless --yes, and each writes one audit line (JSON, on stderr).
 */

const COMMON = `Where:
  --local              the running "npm run dev" (its data folder: --data-dir, DEV_DATA_DIR or .data)
  --stage NAME         a deployed stage (stack IcsGoogleSync-NAME; AWS credentials and region of the environment)
Output:
  --json               one JSON document on stdout (progress and audit lines go to stderr)
  --help               this help`;

const WHO = `  --feed-token TOKEN   the subscriber's feed token (hashed as the service does; never printed)
  --subscriber ID      the subscriber id (as in the logs)`;

const HELP: Record<string, string> = {
  ops: `npm run ops -- <command> [options]

Commands:
  inspect      a subscriber's connection, last sync, events, quota, what is held, running and next check
  resync       queue a sync now, past the subscriber's once-a-minute limit
  pause        stop syncing a subscriber (schedule, "sync now" and notifications) until resume
  resume       undo pause
  disconnect   the subscriber's own disconnect (revokes Google access) [--delete-calendar]
  dlq          the dead-letter queue: list | redrive [--id ID] | purge
  stats        connections by state, syncs by outcome, quota, queues

"npm run ops -- <command> --help" tells more.
${COMMON}`,
  inspect: `npm run ops -- inspect (--feed-token TOKEN | --subscriber ID) [--local | --stage NAME] [--json]\n\n${WHO}\n${COMMON}`,
  resync: `npm run ops -- resync (--feed-token TOKEN | --subscriber ID) [--yes] [--local | --stage NAME] [--json]\n\nQueues one sync now (reason "manual"), not counted against the subscriber's "sync now" limit.\n${WHO}\n  --yes                do not ask\n${COMMON}`,
  pause: `npm run ops -- pause (--feed-token TOKEN | --subscriber ID) [--yes] [--local | --stage NAME] [--json]\n\nThe schedule leaves the subscriber out and the worker skips every request until resume (a reconnect resumes too).\n${WHO}\n  --yes                do not ask\n${COMMON}`,
  resume: `npm run ops -- resume (--feed-token TOKEN | --subscriber ID) [--yes] [--local | --stage NAME] [--json]\n\n${WHO}\n  --yes                do not ask\n${COMMON}`,
  disconnect: `npm run ops -- disconnect (--feed-token TOKEN | --subscriber ID) [--delete-calendar] [--yes] [--local | --stage NAME] [--json]\n\nThe same steps as the subscriber's disconnect: optionally deletes the calendar, revokes the grant, removes\neverything stored, tells the host.\n${WHO}\n  --delete-calendar    delete the dedicated calendar in Google too\n  --yes                do not ask\n${COMMON}`,
  dlq: `npm run ops -- dlq list | redrive [--id MESSAGE_ID] | purge --yes  [--local | --stage NAME] [--json]\n\n  list                 the dead letters (message id, subscriber, reason, sent at, receive count)\n  redrive              move them (all, or --id) back onto the sync queue\n  purge                delete them all (always asks, unless --yes)\n${COMMON}`,
  stats: `npm run ops -- stats [--local | --stage NAME] [--json]\n\nConnections by state, last results by outcome over the last hour and day, quota units spent today, and the\nqueues (depth, oldest of a sample).\n${COMMON}`,
};

const FLAGS = new Set(['--local', '--json', '--yes', '--help', '-h', '--delete-calendar']);
const VALUED = new Set(['--stage', '--feed-token', '--subscriber', '--id', '--data-dir']);

interface Parsed {
  positional: string[];
  flags: Set<string>;
  values: Map<string, string>;
}

function parseArgs(argv: string[]): Parsed {
  const parsed: Parsed = { positional: [], flags: new Set(), values: new Map() };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    if (FLAGS.has(name as string)) parsed.flags.add(name === '-h' ? '--help' : (name as string));
    else if (VALUED.has(name as string)) {
      const value = inline ?? argv[++index];
      if (value === undefined || value.startsWith('--')) throw new OpsError(`${name} needs a value`);
      parsed.values.set(name as string, value);
    } else if (arg.startsWith('-')) throw new OpsError(`unknown option ${name}`);
    else parsed.positional.push(arg);
  }
  return parsed;
}

export interface CliStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Answers a yes/no question; absent: no terminal to ask on. */
  ask?: (question: string) => Promise<string>;
  env: NodeJS.ProcessEnv;
}

/** Runs one command; answers the exit code (0 done, 1 refused or failed, 2 bad usage). */
export async function runOps(argv: string[], streams: CliStreams): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (error) {
    streams.stderr(`ops: ${(error as Error).message}\n`);
    return 2;
  }
  const [command, sub] = parsed.positional;
  if (!command || !(command in HELP) || command === 'ops') {
    const known = !command || command === 'ops' || parsed.flags.has('--help');
    (known ? streams.stdout : streams.stderr)(
      `${command && !known ? `ops: unknown command ${command}\n\n` : ''}${HELP.ops}\n`,
    );
    return known ? 0 : 2;
  }
  if (parsed.flags.has('--help')) {
    streams.stdout(`${HELP[command]}\n`);
    return 0;
  }
  const json = parsed.flags.has('--json');
  const stage = parsed.values.get('--stage');
  if (parsed.flags.has('--local') === (stage !== undefined)) {
    streams.stderr('ops: say where: --local or --stage NAME\n');
    return 2;
  }
  const dataDir = parsed.values.get('--data-dir');
  const choice: TargetChoice = stage
    ? { kind: 'stage', stage }
    : { kind: 'local', ...(dataDir !== undefined ? { dataDir } : {}) };
  const io: OpsIo = {
    out: (text) => streams.stdout(`${text}\n`),
    note: (text) => streams.stderr(`${text}\n`),
    audit: (entry) =>
      streams.stderr(
        `${JSON.stringify({ audit: 'operator action', at: new Date().toISOString(), operator: operatorName(streams.env), target: stage ?? 'local', ...entry })}\n`,
      ),
    confirm: async (question) => {
      if (parsed.flags.has('--yes')) return true;
      if (!streams.ask) return false;
      return /^y(es)?$/i.test((await streams.ask(`${question} [y/N] `)).trim());
    },
  };
  let target: OpsTarget | undefined;
  try {
    target = await openTarget(choice, streams.env, (line) => streams.stderr(`${line}\n`));
    const result = await runCommand(target, command, sub, parsed, io);
    if (result === undefined) return 1;
    if (json) io.out(JSON.stringify(result.value, null, 2));
    else io.out(result.human);
    return 0;
  } catch (error) {
    if (error instanceof OpsError || error instanceof TargetError || error instanceof ConfigError) {
      streams.stderr(`ops: ${error.message}\n`);
      return error instanceof OpsError && error.message.startsWith('usage') ? 2 : 1;
    }
    throw error;
  } finally {
    target?.close();
  }
}

function operatorName(env: NodeJS.ProcessEnv): string {
  try {
    return env.OPS_OPERATOR ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}

function subjectOf(parsed: Parsed): Subject {
  const feedToken = parsed.values.get('--feed-token');
  const subscriberId = parsed.values.get('--subscriber');
  if ((feedToken === undefined) === (subscriberId === undefined)) {
    throw new OpsError('usage: name the subscriber with --feed-token TOKEN or --subscriber ID');
  }
  return feedToken !== undefined ? { feedToken } : { subscriberId: subscriberId as string };
}

type Result = { value: unknown; human: string } | undefined;

/** A change: asked for unless --yes, then done, then one audit line. Undefined when not confirmed. */
async function change<T extends object>(
  io: OpsIo,
  question: string,
  audit: Record<string, unknown>,
  act: () => Promise<T>,
  human: (value: T) => string,
): Promise<Result> {
  if (!(await io.confirm(question))) {
    io.note('Not confirmed: nothing changed (add --yes to skip the question).');
    return undefined;
  }
  const value = await act();
  io.audit({ ...audit, result: value });
  return { value, human: human(value) };
}

async function runCommand(
  target: OpsTarget,
  command: string,
  sub: string | undefined,
  parsed: Parsed,
  io: OpsIo,
): Promise<Result> {
  if (command === 'inspect') {
    const view = await inspect(target, subjectOf(parsed));
    return { value: view, human: describeInspection(view) };
  }
  if (command === 'stats') {
    const value = await stats(target, io);
    return { value, human: describeStats(value) };
  }
  if (command === 'dlq') return dlqCommand(target, sub, parsed, io);
  const subscriberId = await subscriberIdOf(target, subjectOf(parsed));
  const on = `subscriber ${subscriberId} on ${target.name}`;
  const audited = { action: command, subscriberId };
  switch (command) {
    case 'resync':
      return change(
        io,
        `Queue a sync now for ${on}?`,
        audited,
        () => resync(target, subscriberId),
        () => `sync queued for ${subscriberId}`,
      );
    case 'pause':
      return change(
        io,
        `Pause ${on}?`,
        audited,
        () => pause(target, subscriberId),
        (r) => `${subscriberId}: ${r.changed ? 'paused' : 'was already paused'}`,
      );
    case 'resume':
      return change(
        io,
        `Resume ${on}?`,
        audited,
        () => resume(target, subscriberId),
        (r) => `${subscriberId}: ${r.changed ? `resumed (${r.state})` : `was not paused (${r.state})`}`,
      );
    case 'disconnect': {
      const deleteCalendar = parsed.flags.has('--delete-calendar');
      return change(
        io,
        `Disconnect ${on}${deleteCalendar ? ' AND DELETE its calendar in Google' : ''}?`,
        { ...audited, deleteCalendar },
        () => disconnectSubscriber(target, subscriberId, deleteCalendar),
        (r) => `${subscriberId}: disconnected (Google access ${r.googleAccess}, calendar ${r.calendar})`,
      );
    }
    default:
      throw new OpsError(`usage: unknown command ${command}`);
  }
}

async function dlqCommand(
  target: OpsTarget,
  sub: string | undefined,
  parsed: Parsed,
  io: OpsIo,
): Promise<Result> {
  if (sub === 'list') {
    const letters = await dlqList(target, io);
    return { value: letters, human: describeDeadLetters(letters) };
  }
  if (sub === 'redrive') {
    const id = parsed.values.get('--id');
    return change(
      io,
      `Move ${id ? `dead letter ${id}` : 'every dead letter'} of ${target.name} back onto the sync queue?`,
      { action: 'dlq redrive', ...(id ? { messageId: id } : {}) },
      () => dlqRedrive(target, io, id),
      (r) => `redriven: ${r.redriven.length}`,
    );
  }
  if (sub === 'purge') {
    return change(
      io,
      `Delete every dead letter of ${target.name}?`,
      { action: 'dlq purge' },
      () => dlqPurge(target),
      (r) => `purged (about ${r.approximateMessages} message(s))`,
    );
  }
  throw new OpsError('usage: dlq list | redrive [--id ID] | purge --yes');
}

function describeDeadLetters(letters: DeadLetter[]): string {
  if (letters.length === 0) return 'The dead-letter queue is empty.';
  return [
    `${letters.length} dead letter(s):`,
    ...letters.map(
      (l) =>
        `  ${l.messageId}  subscriber ${l.subscriberId ?? '?'}  reason ${l.reason ?? '?'}  sent ${l.sentAt ?? '?'}  received ${l.receiveCount ?? '?'}x`,
    ),
  ].join('\n');
}

function describeStats(s: Awaited<ReturnType<typeof stats>>): string {
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([key, count]) => `${key} ${count}`)
      .join(', ') || 'none';
  return [
    `connections      ${counts(s.connections)}`,
    `syncs last hour  ${counts(s.syncs.lastHour)}`,
    `syncs last day   ${counts(s.syncs.lastDay)}`,
    `quota today      ${s.quota.unitsToday} units${s.quota.projectDailyLimitUntil ? `; project daily quota used up until ${s.quota.projectDailyLimitUntil}` : ''}`,
    `sync queue       ${s.queue.visible} waiting, ${s.queue.inFlight} in flight, oldest seen ${s.queue.oldestSampled ?? '-'}`,
    `dead letters     ${s.deadLetters.visible} waiting, oldest seen ${s.deadLetters.oldestSampled ?? '-'}`,
  ].join('\n');
}

/** stdin as the question channel, when it is a terminal. */
export function terminalAsk(): CliStreams['ask'] {
  if (!process.stdin.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
}
