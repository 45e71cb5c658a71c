import pLimit from 'p-limit';
import type { EventDateTime } from '../shared/domain/google-event.ts';
import { ownedFields, showsOwnedFields } from '../shared/domain/reconcile/owned-fields.ts';
import type {
  DeleteEvent,
  ForgetRow,
  InsertEvent,
  Plan,
  RevertInstance,
  UpdateEvent,
  WriteException,
} from '../shared/domain/reconcile/plan.ts';
import { PENDING, plainInstanceOf } from '../shared/domain/reconcile/plan.ts';
import { basicOf, timeKey } from '../shared/domain/reconcile/times.ts';
import { CalendarApiError, type CalendarGateway } from '../shared/ports/calendar-gateway.ts';
import { NeedsReauthError } from '../shared/ports/oauth-client.ts';
import type { EventMapRow } from '../shared/ports/sync-stores.ts';
import type { Clock } from './clock.ts';
import { EventWrites, InstanceFinder, originalStartOf } from './event-writes.ts';
import { type GoogleCalls, RunStoppedError } from './google-calls.ts';
import type { MapWriter } from './map-writer.ts';

/** Why a run stopped before the end; every one of them makes further calls pointless. */
export type StopReason =
  | 'usage_limit'
  | 'calendar_missing'
  | 'needs_reauth'
  | 'access_refused'
  | 'store_failed'
  | 'unexpected_error';

/**
 * How one operation ended: written; refused by Google as invalid (retrying the same content cannot help, so
 * it is remembered like a written one and tried again only when the feed changes it); failed (the next sync
 * retries it); or never started (stop or deadline).
 */
type Result = 'done' | 'rejected' | 'failed' | 'skipped';

export interface ApplyOptions {
  calendarId: string;
  gateway: CalendarGateway;
  calls: GoogleCalls;
  map: MapWriter;
  clock: Clock;
  concurrency: number;
  /** Apply deletions (false while the mass-delete breaker holds them). */
  applyDeletions: boolean;
  /** Epoch ms after which no new operation starts (the function's time limit); the next sync continues. */
  deadline?: number;
  /** The horizon the feed was mapped for: where instances of a restored series are checked. */
  window?: { from: Date; to: Date };
}

/** The intent row of a write could not be stored: the write is not made, and the run ends. */
class IntentNotStored extends Error {
  override readonly name = 'IntentNotStored';
  constructor(override readonly cause: unknown) {
    super('the event map could not store an intent row');
  }
}

export interface ApplyOutcome {
  created: number;
  updated: number;
  deleted: number;
  /** Series and single events inserted (the calendar's event count grows by these). */
  insertedEvents: number;
  /** Rows of series and single events forgotten without a call (the map's event count shrinks by these). */
  forgottenEvents: number;
  /** Operations that failed (the next sync retries them), as short reasons. */
  failures: string[];
  /** Things that were done as well as they could be, but the user may want to know. */
  warnings: string[];
  /** Operations not started because the deadline passed. */
  deferred: number;
  stop?: StopReason;
}

/** Longest event key quoted in a reason (keys are UIDs of the subscriber's own feed, never tokens or URLs). */
const KEY_CHARS = 80;
const quote = (key: string) => JSON.stringify(key.length > KEY_CHARS ? `${key.slice(0, KEY_CHARS)}...` : key);

/**
 * Carries out a plan: series and single events first (with the deletions), then the instances of recurring
 * events, each only once its series is written. Every Google write that succeeds is recorded in the event map
 * right after, through the map writer.
 */
export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyOutcome> {
  const { calendarId, gateway, calls, map, clock } = options;
  const outcome: ApplyOutcome = {
    created: 0,
    updated: 0,
    deleted: 0,
    insertedEvents: 0,
    forgottenEvents: 0,
    failures: [],
    warnings: [],
    deferred: 0,
  };
  const limit = pLimit(options.concurrency);
  let storeError: unknown;
  const updatedAt = () => new Date(clock.now()).toISOString();

  // Operations still queued see the stop and end at once without a call.
  const stop = (reason: StopReason) => {
    outcome.stop ??= reason;
    calls.stop();
  };

  // One probe per run tells a missing event from a missing calendar (both answer 404).
  let calendarProbe: Promise<boolean> | undefined;
  const calendarExists = () => {
    calendarProbe ??= calls.call('list', () => gateway.calendarExists(calendarId));
    return calendarProbe;
  };
  /** A 404 that means "no such event" (true) rather than "no such calendar" (stops the run, false). */
  const isEventNotFound = async (error: unknown): Promise<boolean> => {
    if (!(error instanceof CalendarApiError) || error.status !== 404) return false;
    if (await calendarExists()) return true;
    stop('calendar_missing');
    return false;
  };

  const writes = new EventWrites(calendarId, gateway, calls, isEventNotFound);
  const finder = new InstanceFinder(calendarId, gateway, calls, writes, isEventNotFound, plan.instanceWrites);

  /**
   * A series whose insert answered 409 was in Google already: a crash or a lost answer, the user deleting it, or
   * a UID that came back after its deletion. Google may then hold overrides of it that no row knows (cancelled
   * with the series, moved): every instance over the horizon that this plan does not write is made to show as
   * the series would. One listing per 2,500 instances; a call only for an instance that differs.
   */
  const restoreInstances = async (op: InsertEvent) => {
    if (!op.event.recurrence?.length || !options.window) return;
    const written = new Set(
      plan.instanceWrites
        .filter((write) => write.seriesKey === op.key)
        .map((write) => timeKey(write.event.originalStartTime as EventDateTime)),
    );
    const window = { timeMin: options.window.from.toISOString(), timeMax: options.window.to.toISOString() };
    let pageToken: string | undefined;
    do {
      const query = { ...window, ...(pageToken ? { pageToken } : {}) };
      const page = await calls.call('instances', () => gateway.instances(calendarId, op.googleId, query));
      for (const item of page.items) {
        const original = originalStartOf(item);
        if (!original || written.has(timeKey(original))) continue;
        const plain = ownedFields(plainInstanceOf(op.event, original, basicOf(original)));
        if (showsOwnedFields(item.resource, plain)) continue;
        if (plain.status === 'cancelled') await writes.delete(item.id);
        else await writes.overwrite(item, plain);
        outcome.updated++;
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
  };

  /**
   * Stores the intent row of a write that creates something, before its Google call. Should the store fail, the
   * call is not made: the run ends as `store_failed`.
   */
  const intend = async (row: Omit<EventMapRow, 'hash' | 'updatedAt'>) => {
    try {
      await map.putBeforeCall({ ...row, hash: PENDING, updatedAt: updatedAt() });
    } catch (error) {
      throw new IntentNotStored(error);
    }
  };

  /** Runs one operation's Google calls; their errors become failures or stop the run. */
  const attempt = async (description: string, work: () => Promise<void>): Promise<Result> => {
    if (calls.isStopped) return 'skipped';
    if (options.deadline !== undefined && clock.now() >= options.deadline) {
      outcome.deferred++;
      return 'skipped';
    }
    try {
      await work();
      return 'done';
    } catch (error) {
      if (error instanceof RunStoppedError) return 'skipped';
      if (error instanceof IntentNotStored) {
        storeError ??= error.cause;
        stop('store_failed');
        return 'skipped';
      }
      if (error instanceof NeedsReauthError) stop('needs_reauth');
      else if (!(error instanceof CalendarApiError)) {
        // Not Google's answer (the access token source failed, or a bug): name it, never print it whole.
        outcome.failures.push(`${description}: ${error instanceof Error ? error.name : 'unknown error'}`);
        stop('unexpected_error');
      } else if (error.isUsageLimit) stop('usage_limit');
      // 401, and a 403 that is no quota (insufficientPermissions, forbidden...): every other call would get the same.
      else if (error.status === 401 || (error.status === 403 && !error.isRateLimit)) stop('access_refused');
      else if (error.status === 404 && !(await calendarExists().catch(() => true))) stop('calendar_missing');
      else if (error.status === 400) {
        outcome.warnings.push(`${description}: ${error.message}`);
        return 'rejected';
      } else {
        outcome.failures.push(`${description}: ${error.message}`);
        return 'failed';
      }
      return 'skipped';
    }
  };

  const writeSeries = async (op: InsertEvent | UpdateEvent): Promise<Result> => {
    const fields = ownedFields(op.event);
    const result = await attempt(`${op.kind} ${quote(op.key)}`, async () => {
      // The event under the old id goes first: should the insert then fail, the row still names the old id
      // and the next sync tries both again.
      if (op.kind === 'insert' && op.replaces) await writes.delete(op.replaces);
      // Without a row, an event the insert creates must not be lost with a crash (a row with another id stays
      // until the insert succeeded, so it is found again either way).
      if (op.kind === 'insert' && !op.replaces && !op.resumes)
        await intend({ eventKey: op.key, googleId: op.googleId });
      if (op.kind === 'update') await writes.updateOrInsert(op.googleId, fields);
      else if (await writes.insertOrRestore(op.googleId, fields)) await restoreInstances(op);
    });
    if (result === 'failed' || result === 'skipped') return result;
    if (result === 'rejected') {
      // Without its series in Google, the series' exceptions would only be refused as well.
    } else if (op.kind === 'insert' && !op.replaces) {
      outcome.created++;
      // An intent row was counted as an event of the calendar already.
      if (!op.resumes) outcome.insertedEvents++;
    } else outcome.updated++;
    await map.put({
      eventKey: op.key,
      googleId: op.googleId,
      hash: op.event.extendedProperties.private.icsHash,
      updatedAt: updatedAt(),
      ...(op.endsAt !== undefined ? { endsAt: op.endsAt } : {}),
    });
    return result;
  };

  const forgetsBySeries = new Map<string, ForgetRow[]>();
  for (const forget of plan.forgets) {
    if (forget.seriesKey === undefined) continue;
    const list = forgetsBySeries.get(forget.seriesKey) ?? [];
    list.push(forget);
    forgetsBySeries.set(forget.seriesKey, list);
  }
  const deletedSeries = new Set(plan.deletions.map((d) => d.key));

  const deleteEvent = async (op: DeleteEvent): Promise<Result> => {
    const result = await attempt(`delete ${quote(op.key)}`, () => writes.delete(op.googleId));
    if (result !== 'done') return result;
    outcome.deleted++;
    await map.remove(op.key);
    for (const forget of forgetsBySeries.get(op.key) ?? []) await map.remove(forget.key);
    return result;
  };

  /**
   * A store failure ends the run (`store_failed`): no further Google call is made whose map row could not be
   * kept. What was written stays in Google under its intent row, and the next sync meets it again.
   */
  const guarded = <T>(task: Promise<T>): Promise<T | undefined> =>
    task.catch((error: unknown) => {
      storeError ??= error;
      stop('store_failed');
      return undefined;
    });

  const seriesWritten = new Map<string, Promise<Result | undefined>>();
  for (const op of plan.seriesWrites) seriesWritten.set(op.key, guarded(limit(() => writeSeries(op))));
  const deleted = new Map<string, Promise<Result | undefined>>();
  if (options.applyDeletions) {
    for (const op of plan.deletions) deleted.set(op.key, guarded(limit(() => deleteEvent(op))));
  }
  // Rows with nothing to call Google about: past events, exceptions whose series row is gone or forgotten.
  const forgetNow = plan.forgets.filter((f) => f.seriesKey === undefined || !deletedSeries.has(f.seriesKey));
  outcome.forgottenEvents = forgetNow.filter((f) => f.seriesKey === undefined).length;
  const forgotten = forgetNow.map((f) => guarded(map.remove(f.key)));
  // Series whose end moved with their exceptions, without a call.
  const refreshed = plan.rowRefreshes.map((row) => guarded(map.put(row)));
  await Promise.all([...seriesWritten.values(), ...deleted.values(), ...forgotten, ...refreshed]);

  const writeInstance = async (op: WriteException | RevertInstance) => {
    const fields = ownedFields(op.event);
    let instanceId: string | undefined;
    const label = op.kind === 'write_exception' ? 'exception' : 'revert';
    const result = await attempt(`${label} ${quote(op.key)}`, async () => {
      if (op.kind === 'write_exception' && op.isNew) {
        await intend({ eventKey: op.key, googleId: '', seriesKey: op.seriesKey });
      }
      const instance = await finder.find(op);
      if (!instance) return;
      if (op.kind === 'revert_instance' && fields.status === 'cancelled') {
        // No occurrence of the series any more: deleting the instance cancels it (Google's recurring events
        // guide), and, unlike an update, asks for no times, which need not fit the series' kind any more.
        if (instance.resource.status !== 'cancelled') await writes.delete(instance.id);
        instanceId = instance.id;
        return;
      }
      try {
        await writes.overwrite(instance, fields);
        instanceId = instance.id;
      } catch (error) {
        // 410: the instance is deleted in Google (its series deleted there, say): as missing as one not found.
        if (!(error instanceof CalendarApiError && error.status === 410)) throw error;
      }
    });
    if (result === 'failed' || result === 'skipped') return;
    const row = {
      eventKey: op.key,
      googleId: instanceId ?? '',
      updatedAt: updatedAt(),
      seriesKey: op.seriesKey,
    };
    if (op.kind === 'revert_instance') {
      outcome.updated++;
      // No instance there: nothing overrides the series, nothing to remember.
      if (instanceId === undefined && result === 'done') await map.remove(op.key);
      else await map.put({ ...row, hash: op.hash });
      return;
    }
    if (result === 'rejected') {
      // Remembered with its hash: tried again when the feed changes it.
    } else if (instanceId === undefined) {
      // Remembered all the same, so the next sync does not try again until the feed or the series changes.
      outcome.warnings.push(`exception ${quote(op.key)} matches no occurrence of its series in Google`);
    } else if (op.isNew) outcome.created++;
    else outcome.updated++;
    await map.put({ ...row, hash: op.event.extendedProperties.private.icsHash });
  };

  const deletionKeys = new Set(plan.deletions.map((d) => d.key));
  await Promise.all(
    plan.instanceWrites.map(async (op) => {
      // A series not written in this run is in Google already; one whose write ended the run counts as skipped.
      const written = seriesWritten.get(op.seriesKey);
      const series = written ? ((await written) ?? 'skipped') : 'done';
      if (series === 'failed')
        outcome.failures.push(`exception ${quote(op.key)}: its series was not written`);
      // A row written under this key before each kind had its own key: its event must go before the row is
      // taken over, or it would be lost from the map while still in Google.
      const previous = deletionKeys.has(op.key) ? ((await deleted.get(op.key)) ?? 'skipped') : 'done';
      if (series === 'done' && previous === 'done') await guarded(limit(() => writeInstance(op)));
    }),
  );
  await guarded(map.flush());
  if (storeError !== undefined) {
    const name = storeError instanceof Error ? storeError.name : 'unknown error';
    outcome.failures.push(`the event map could not be saved (${name}): the next sync finds its events again`);
  }
  return outcome;
}
