import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { disconnect } from '../../lambdas/oauth/use-cases/disconnect.ts';
import { spreadDelaySeconds } from '../../lambdas/shared/domain/sync-schedule.ts';
import type { Connection } from '../../lambdas/shared/ports/connection-store.ts';
import { requestImmediateSync } from '../../lambdas/shared/use-cases/request-sync.ts';
import type { OpsTarget } from './target.ts';

/** How the commands talk to the operator: results, progress, confirmations and the audit trail. */
export interface OpsIo {
  /** A result line (stdout). */
  out(text: string): void;
  /** Progress and notes (stderr): never mixed into a --json result. */
  note(text: string): void;
  /** The one audit line of a change (stderr, JSON). */
  audit(entry: Record<string, unknown>): void;
  /** Asks before a change; false: not confirmed. */
  confirm(question: string): Promise<boolean>;
}

export class OpsError extends Error {
  override readonly name = 'OpsError';
}

/** Who is meant: a feed token (hashed as the service does; never printed) or a subscriber id. */
export type Subject = { feedToken: string } | { subscriberId: string };

export async function subscriberIdOf(target: OpsTarget, subject: Subject): Promise<string> {
  return 'subscriberId' in subject
    ? subject.subscriberId
    : target.services.identity.subscriberIdFor(subject.feedToken);
}

/** The connection's state as the operator reads it: its status, or `paused`, or `not_connected`. */
export function stateOf(connection: Connection | undefined): string {
  if (!connection) return 'not_connected';
  if (connection.status === 'connected' && connection.operatorPausedAt) return 'paused';
  return connection.status;
}

export interface Inspection {
  subscriberId: string;
  state: string;
  connection:
    | (Omit<Connection, 'refreshTokenCiphertext' | 'feedTokenCiphertext' | 'eventIdSalt'> & {
        hasRefreshToken: boolean;
      })
    | null;
  lastSync: Record<string, unknown> | null;
  events: number | null;
  warnings: string[];
  quota: { day: string | null; unitsToday: number; lastRunUnits: number | null };
  held: { deletions: number | null; seenTimes: number; since: string } | null;
  coolDownUntil: string | null;
  syncRunning: boolean;
  syncRunningUntil: string | null;
  nextScheduledCheck: string | null;
  nextScheduledCheckNote: string;
  keys: { cipher: string; hostEventsKeyId: string | null };
}

export async function inspect(target: OpsTarget, subject: Subject, now = new Date()): Promise<Inspection> {
  const subscriberId = await subscriberIdOf(target, subject);
  const [connection, state, leaseUntil] = await Promise.all([
    target.connections.get(subscriberId),
    target.syncStates.get(subscriberId),
    target.syncStates.leaseHeldUntil(subscriberId, now),
  ]);
  const last = state?.lastResult;
  const today = now.toISOString().slice(0, 10);
  const { cipher } = target.services.config;
  const next = nextCheck(target, connection, last?.startedAt, now);
  let shownConnection: Inspection['connection'] = null;
  if (connection) {
    const { refreshTokenCiphertext, feedTokenCiphertext, eventIdSalt, ...visible } = connection;
    shownConnection = { ...visible, hasRefreshToken: refreshTokenCiphertext !== undefined };
  }
  return {
    subscriberId,
    state: stateOf(connection),
    connection: shownConnection,
    lastSync: last ? { ...last } : null,
    events: state?.eventCount ?? null,
    warnings: last?.warnings ?? [],
    quota: {
      day: state?.dailyUnits?.day ?? null,
      unitsToday: state?.dailyUnits?.day === today ? state.dailyUnits.units : 0,
      lastRunUnits: last ? (last.quotaUnits ?? last.googleCalls) : null,
    },
    held: state?.heldDeletion
      ? {
          deletions: last?.heldDeletions ?? null,
          seenTimes: state.heldDeletion.count,
          since: state.heldDeletion.firstSeenAt,
        }
      : null,
    coolDownUntil: state?.coolDownUntil ?? null,
    syncRunning: leaseUntil !== undefined,
    syncRunningUntil: leaseUntil?.toISOString() ?? null,
    nextScheduledCheck: next.at,
    nextScheduledCheckNote: next.note,
    keys: {
      cipher: cipher.kind === 'kms' ? `kms:${cipher.keyId}` : 'local',
      hostEventsKeyId: target.services.config.hostEvents?.keyId ?? null,
    },
  };
}

/**
 * When the schedule next looks at the subscriber: an interval after the last run, at the subscriber's spread
 * within the interval (the scheduler's own rule), never before a pause ends. Approximate by the schedule's jitter.
 */
function nextCheck(
  target: OpsTarget,
  connection: Connection | undefined,
  lastStartedAt: string | undefined,
  now: Date,
): { at: string | null; note: string } {
  if (!connection) return { at: null, note: 'not connected' };
  if (connection.operatorPausedAt) return { at: null, note: 'paused by the operator: resume to schedule' };
  if (connection.status !== 'connected' || !connection.scheduled) {
    return { at: null, note: `not scheduled (${connection.status}): waits for a reconnect` };
  }
  const interval = target.intervalSeconds * 1000;
  const last = lastStartedAt ? Date.parse(lastStartedAt) : now.getTime();
  let at = Math.max(
    last + interval,
    now.getTime() + spreadDelaySeconds(connection.subscriberId, interval / 1000) * 1000,
  );
  if (connection.syncPausedUntil) at = Math.max(at, Date.parse(connection.syncPausedUntil));
  return { at: new Date(at).toISOString(), note: 'approximate: the schedule ticks every interval' };
}

export function describeInspection(view: Inspection): string {
  const lines = [`subscriber ${view.subscriberId}`, `  state            ${view.state}`];
  const c = view.connection;
  if (c) {
    lines.push(`  calendar         ${c.calendarId}`, `  connected at     ${c.connectedAt}`);
    if (c.googleAccountChangedAt) lines.push(`  account changed  ${c.googleAccountChangedAt}`);
    if (c.needsReauthSince) lines.push(`  needs reauth     since ${c.needsReauthSince}`);
    if (c.feedGoneSince) lines.push(`  feed gone        since ${c.feedGoneSince}`);
    if (c.operatorPausedAt) lines.push(`  paused           by the operator at ${c.operatorPausedAt}`);
  }
  const last = view.lastSync as { outcome?: string; finishedAt?: string; errors?: string[] } | null;
  lines.push(
    `  last sync        ${last ? `${last.outcome} at ${last.finishedAt}` : 'none'}`,
    ...(last?.errors ?? []).map((reason) => `    reason: ${reason}`),
    ...view.warnings.map((warning) => `    warning: ${warning}`),
    `  events           ${view.events ?? 'unknown'}`,
    `  quota today      ${view.quota.unitsToday} units${view.quota.lastRunUnits === null ? '' : ` (last run ${view.quota.lastRunUnits})`}`,
    `  held             ${view.held ? `${view.held.deletions ?? '?'} deletions, seen ${view.held.seenTimes}x since ${view.held.since}` : 'nothing'}`,
    `  sync running     ${view.syncRunning ? `yes, until ${view.syncRunningUntil}` : 'no'}`,
    `  next check       ${view.nextScheduledCheck ?? '-'} (${view.nextScheduledCheckNote})`,
    `  keys             cipher ${view.keys.cipher}${view.keys.hostEventsKeyId ? `, host events signed with ${view.keys.hostEventsKeyId}` : ''}`,
  );
  if (view.coolDownUntil) lines.push(`  cooling down     until ${view.coolDownUntil}`);
  return lines.join('\n');
}

async function connectionOrFail(target: OpsTarget, subscriberId: string): Promise<Connection> {
  const connection = await target.connections.get(subscriberId);
  if (!connection) throw new OpsError(`subscriber ${subscriberId} is not connected`);
  return connection;
}

/** Queues a sync now, past the subscriber's once-a-minute "sync now" limit (the limiter is not asked). */
export async function resync(target: OpsTarget, subscriberId: string) {
  const connection = await connectionOrFail(target, subscriberId);
  if (connection.operatorPausedAt) throw new OpsError('the subscriber is paused: resume first');
  if (connection.status !== 'connected') {
    throw new OpsError(`the connection is ${connection.status}: a sync would not run until a reconnect`);
  }
  await requestImmediateSync(target.services, [subscriberId], 'manual');
  return { subscriberId, queued: true as const };
}

/**
 * Pause: the connection leaves the schedule (`scheduled` false, so the scheduling index drops it) and the worker
 * skips every request while `operatorPausedAt` is set. Versioned, like every connection write.
 */
export async function pause(target: OpsTarget, subscriberId: string, now = new Date()) {
  const connection = await connectionOrFail(target, subscriberId);
  if (connection.operatorPausedAt) return { subscriberId, state: 'paused', changed: false };
  if (connection.status !== 'connected') {
    throw new OpsError(`the connection is ${connection.status}: nothing runs to pause`);
  }
  const { version, ...rest } = connection;
  await target.connections.save(
    { ...rest, scheduled: false, operatorPausedAt: now.toISOString(), updatedAt: now.toISOString() },
    version,
  );
  return { subscriberId, state: 'paused', changed: true };
}

export async function resume(target: OpsTarget, subscriberId: string, now = new Date()) {
  const connection = await connectionOrFail(target, subscriberId);
  if (!connection.operatorPausedAt) return { subscriberId, state: stateOf(connection), changed: false };
  const { version, operatorPausedAt: _paused, ...rest } = connection;
  const saved = await target.connections.save(
    { ...rest, scheduled: connection.status === 'connected', updatedAt: now.toISOString() },
    version,
  );
  return { subscriberId, state: stateOf(saved), changed: true };
}

/**
 * The subscriber's own disconnect (oauth/use-cases/disconnect.ts), proven by the connection's own copy of the
 * feed token: the operator holds the service's keys, so no host intent is asked for.
 */
export async function disconnectSubscriber(target: OpsTarget, subscriberId: string, deleteCalendar: boolean) {
  const connection = await connectionOrFail(target, subscriberId);
  const feedToken = await target.services.cipher.decrypt(connection.feedTokenCiphertext, {
    subscriberId,
    purpose: 'feed_token',
  });
  const { intents: _intents, ...services } = target.services;
  const outcome = await disconnect(services, { ip: 'operator', feedToken, deleteCalendar });
  return { subscriberId, ...outcome };
}

export interface DeadLetter {
  messageId: string;
  subscriberId: string | null;
  reason: string | null;
  sentAt: string | null;
  receiveCount: number | null;
}

const describeDeadLetter = (message: Message): DeadLetter => {
  let body: { subscriberId?: unknown; reason?: unknown } = {};
  try {
    body = JSON.parse(message.Body ?? '') as typeof body;
  } catch {
    // A poison message: listed without its fields.
  }
  const sent = Number(message.Attributes?.SentTimestamp);
  const count = Number(message.Attributes?.ApproximateReceiveCount);
  return {
    messageId: message.MessageId ?? '',
    subscriberId: typeof body.subscriberId === 'string' ? body.subscriberId : null,
    reason: typeof body.reason === 'string' ? body.reason : null,
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : null,
    receiveCount: Number.isFinite(count) ? count : null,
  };
};

/** How long messages read off the dead-letter queue stay hidden while a command works on them. */
const HOLD_SECONDS = 60;

/**
 * Every message of a queue, read and held (invisible) while `use` works on them; whatever `use` leaves is made
 * visible again at once. Progress after each page.
 */
async function withAllMessages<T>(
  target: OpsTarget,
  queueUrl: string,
  io: OpsIo,
  use: (messages: Message[]) => Promise<{ result: T; consumed: Set<string> }>,
): Promise<T> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await target.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: HOLD_SECONDS,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      }),
    );
    if (Messages.length === 0) break;
    messages.push(...Messages);
    io.note(`read ${messages.length} message(s)...`);
  }
  const { result, consumed } = await use(messages);
  const release = messages.filter((message) => !consumed.has(message.MessageId ?? ''));
  for (let start = 0; start < release.length; start += 10) {
    await target.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: release.slice(start, start + 10).map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return result;
}

export function dlqList(target: OpsTarget, io: OpsIo): Promise<DeadLetter[]> {
  return withAllMessages(target, target.deadLetterQueueUrl, io, async (messages) => ({
    result: messages.map(describeDeadLetter),
    consumed: new Set(),
  }));
}

/** Moves dead letters (all, or the one with `messageId`) back onto the sync queue, body unchanged. */
export function dlqRedrive(target: OpsTarget, io: OpsIo, messageId?: string) {
  return withAllMessages(target, target.deadLetterQueueUrl, io, async (messages) => {
    const chosen = messages.filter((message) => !messageId || message.MessageId === messageId);
    if (messageId && chosen.length === 0) throw new OpsError(`no dead letter with id ${messageId}`);
    const consumed = new Set<string>();
    for (const [index, message] of chosen.entries()) {
      await target.sqs.send(
        new SendMessageCommand({ QueueUrl: target.queueUrl, MessageBody: message.Body ?? '' }),
      );
      await target.sqs.send(
        new DeleteMessageCommand({
          QueueUrl: target.deadLetterQueueUrl,
          ReceiptHandle: message.ReceiptHandle ?? '',
        }),
      );
      consumed.add(message.MessageId ?? '');
      io.note(`redriven ${index + 1}/${chosen.length}`);
    }
    return { result: { redriven: chosen.map((message) => message.MessageId ?? '') }, consumed };
  });
}

export async function dlqPurge(target: OpsTarget) {
  const before = await queueDepth(target, target.deadLetterQueueUrl);
  await target.sqs.send(new PurgeQueueCommand({ QueueUrl: target.deadLetterQueueUrl }));
  return { purged: true as const, approximateMessages: before.visible + before.inFlight };
}

async function queueDepth(target: OpsTarget, queueUrl: string) {
  const { Attributes = {} } = await target.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** The oldest of a sample of visible messages, read without hiding them (SQS gives no exact oldest). */
async function oldestSampled(target: OpsTarget, queueUrl: string): Promise<string | null> {
  const { Messages = [] } = await target.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['SentTimestamp'],
    }),
  );
  const times = Messages.map((message) => Number(message.Attributes?.SentTimestamp)).filter((t) => t > 0);
  return times.length > 0 ? new Date(Math.min(...times)).toISOString() : null;
}

export interface Stats {
  connections: Record<string, number>;
  syncs: { lastHour: Record<string, number>; lastDay: Record<string, number> };
  quota: { unitsToday: number; projectDailyLimitUntil: string | null };
  queue: { visible: number; inFlight: number; oldestSampled: string | null };
  deadLetters: { visible: number; inFlight: number; oldestSampled: string | null };
}

/**
 * Connections by state (a full read of the connections), the last result of every subscriber by outcome when it
 * finished within the hour and the day (the service keeps each subscriber's last result only), quota units
 * spent today, and the queues.
 */
export async function stats(target: OpsTarget, io: OpsIo, now = new Date()): Promise<Stats> {
  const connections: Record<string, number> = {};
  let read = 0;
  for await (const connection of target.connections.all()) {
    const state = stateOf(connection);
    connections[state] = (connections[state] ?? 0) + 1;
    if (++read % 500 === 0) io.note(`connections read: ${read}`);
  }
  const lastHour: Record<string, number> = {};
  const lastDay: Record<string, number> = {};
  const today = now.toISOString().slice(0, 10);
  let unitsToday = 0;
  read = 0;
  for await (const state of target.syncStateListing.all()) {
    const finished = Date.parse(state.lastResult?.finishedAt ?? '');
    const outcome = state.lastResult?.outcome ?? 'none';
    if (now.getTime() - finished <= 3_600_000) lastHour[outcome] = (lastHour[outcome] ?? 0) + 1;
    if (now.getTime() - finished <= 86_400_000) lastDay[outcome] = (lastDay[outcome] ?? 0) + 1;
    if (state.dailyUnits?.day === today) unitsToday += state.dailyUnits.units;
    if (++read % 500 === 0) io.note(`sync states read: ${read}`);
  }
  const [queue, deadLetters, queueOldest, deadOldest, dailyLimit] = await Promise.all([
    queueDepth(target, target.queueUrl),
    queueDepth(target, target.deadLetterQueueUrl),
    oldestSampled(target, target.queueUrl),
    oldestSampled(target, target.deadLetterQueueUrl),
    target.syncStates.dailyLimitUntil(),
  ]);
  return {
    connections,
    syncs: { lastHour, lastDay },
    quota: { unitsToday, projectDailyLimitUntil: dailyLimit ?? null },
    queue: { ...queue, oldestSampled: queueOldest },
    deadLetters: { ...deadLetters, oldestSampled: deadOldest },
  };
}
