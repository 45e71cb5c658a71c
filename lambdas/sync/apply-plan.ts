import pLimit from 'p-limit';
import { ownedFields } from '../shared/domain/reconcile/owned-fields.ts';
import type {
  DeleteEvent,
  ForgetRow,
  InsertEvent,
  PatchInstance,
  Plan,
  RevertInstance,
  UpdateEvent,
} from '../shared/domain/reconcile/plan.ts';
import { CalendarApiError, type CalendarGateway } from '../shared/ports/calendar-gateway.ts';
import { NeedsReauthError } from '../shared/ports/oauth-client.ts';
import type { Clock } from './clock.ts';
import { type GoogleCalls, RunStoppedError } from './google-calls.ts';
import type { MapWriter } from './map-writer.ts';

/** Why a run stopped before the end; every one of them makes further calls pointless. */
export type StopReason =
  | 'usage_limit'
  | 'calendar_missing'
  | 'needs_reauth'
  | 'access_refused'
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
}

export interface ApplyOutcome {
  created: number;
  updated: number;
  deleted: number;
  /** Series and single events inserted (the calendar's event count grows by these). */
  insertedEvents: number;
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
    failures: [],
    warnings: [],
    deferred: 0,
  };
  const limit = pLimit(options.concurrency);
  const updatedAt = () => new Date(clock.now()).toISOString();

  // Operations still queued see the stop and end at once without a call.
  const stop = (reason: StopReason) => {
    outcome.stop ??= reason;
    calls.stop();
  };

  // One probe per run tells a missing event from a missing calendar (both answer 404).
  let calendarProbe: Promise<boolean> | undefined;
  const calendarExists = () => {
    calendarProbe ??= calls.call(() => gateway.calendarExists(calendarId));
    return calendarProbe;
  };
  /** A 404 that means "no such event" (true) rather than "no such calendar" (stops the run, false). */
  const isEventNotFound = async (error: unknown): Promise<boolean> => {
    if (!(error instanceof CalendarApiError) || error.status !== 404) return false;
    if (await calendarExists()) return true;
    stop('calendar_missing');
    return false;
  };

  const patch = (googleId: string, fields: ReturnType<typeof ownedFields>) =>
    calls.call(() => gateway.patch(calendarId, googleId, fields));

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
      if (error instanceof NeedsReauthError) stop('needs_reauth');
      else if (!(error instanceof CalendarApiError)) {
        // Not Google's answer (the access token source failed, or a bug): name it, never print it whole.
        outcome.failures.push(`${description}: ${error instanceof Error ? error.name : 'unknown error'}`);
        stop('unexpected_error');
      } else if (error.isUsageLimit) stop('usage_limit');
      else if (error.status === 401) stop('access_refused');
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
      if (op.kind === 'insert') await insertOrRestore(op.googleId, fields);
      else await patchOrInsert(op.googleId, fields);
    });
    if (result === 'failed' || result === 'skipped') return result;
    if (result === 'rejected') {
      // Without its series in Google, the series' exceptions would only be refused as well.
    } else if (op.kind === 'insert') {
      outcome.created++;
      outcome.insertedEvents++;
    } else outcome.updated++;
    await map.put({
      eventKey: op.key,
      googleId: op.googleId,
      hash: op.event.extendedProperties.private.icsHash,
      updatedAt: updatedAt(),
    });
    return result;
  };

  // Insert is not an upsert: 409 means the event is there already (maybe cancelled), so patching it restores it.
  const insertOrRestore = async (googleId: string, fields: ReturnType<typeof ownedFields>) => {
    try {
      await calls.call(() => gateway.insert(calendarId, googleId, fields));
    } catch (error) {
      if (!(error instanceof CalendarApiError) || error.status !== 409) throw error;
      await patch(googleId, fields);
    }
  };

  // The map knew the event but Google does not: write it again under the same id.
  const patchOrInsert = async (googleId: string, fields: ReturnType<typeof ownedFields>) => {
    try {
      await patch(googleId, fields);
    } catch (error) {
      if (!(await isEventNotFound(error))) throw error;
      await insertOrRestore(googleId, fields);
    }
  };

  const forgetsBySeries = new Map<string, ForgetRow[]>();
  for (const forget of plan.forgets) {
    const list = forgetsBySeries.get(forget.seriesKey) ?? [];
    list.push(forget);
    forgetsBySeries.set(forget.seriesKey, list);
  }
  const deletedSeries = new Set(plan.deletions.map((d) => d.key));

  const deleteEvent = async (op: DeleteEvent) => {
    const result = await attempt(`delete ${quote(op.key)}`, async () => {
      try {
        await calls.call(() => gateway.delete(calendarId, op.googleId));
      } catch (error) {
        // Already deleted (410) or never there (404): the calendar is as wanted.
        if (error instanceof CalendarApiError && error.status === 410) return;
        if (!(await isEventNotFound(error))) throw error;
      }
    });
    if (result !== 'done') return;
    outcome.deleted++;
    await map.remove(op.key);
    for (const forget of forgetsBySeries.get(op.key) ?? []) await map.remove(forget.key);
  };

  /** A store failure ends the run: no further Google call is made whose map row could not be kept. */
  const guarded = <T>(task: Promise<T>): Promise<T> =>
    task.catch((error: unknown) => {
      calls.stop();
      throw error;
    });

  const seriesWritten = new Map<string, Promise<Result>>();
  for (const op of plan.seriesWrites) seriesWritten.set(op.key, guarded(limit(() => writeSeries(op))));
  const deletions = options.applyDeletions
    ? plan.deletions.map((op) => guarded(limit(() => deleteEvent(op))))
    : [];
  // Rows of exceptions whose series row is already gone: nothing left in Google to call about.
  const orphanRows = plan.forgets.filter((f) => !deletedSeries.has(f.seriesKey));
  await Promise.all([...seriesWritten.values(), ...deletions, ...orphanRows.map((f) => map.remove(f.key))]);

  const rowBase = (op: PatchInstance | RevertInstance) => ({
    eventKey: op.key,
    googleId: op.googleId,
    updatedAt: updatedAt(),
    seriesKey: op.seriesKey,
  });

  const writeInstance = async (op: PatchInstance | RevertInstance) => {
    const fields = ownedFields(op.event);
    let missing = false;
    const label = op.kind === 'patch_instance' ? 'exception' : 'revert';
    const result = await attempt(`${label} ${quote(op.key)}`, async () => {
      try {
        await calls.call(() => gateway.patchInstance(calendarId, op.googleId, fields));
      } catch (error) {
        if (!(await isEventNotFound(error))) throw error;
        missing = true;
      }
    });
    if (result === 'failed' || result === 'skipped') return;
    if (op.kind === 'revert_instance') {
      outcome.updated++;
      // No instance there (404): nothing overrides the series, nothing to remember.
      if (missing) await map.remove(op.key);
      else await map.put({ ...rowBase(op), hash: op.hash });
      return;
    }
    if (result === 'rejected') {
      // Remembered with its hash: tried again when the feed changes it.
    } else if (missing) {
      // Remembered all the same, so the next sync does not try again until the feed or the series changes.
      outcome.warnings.push(`exception ${quote(op.key)} matches no occurrence of its series in Google`);
    } else if (op.isNew) outcome.created++;
    else outcome.updated++;
    await map.put({ ...rowBase(op), hash: op.event.extendedProperties.private.icsHash });
  };

  await Promise.all(
    plan.instanceWrites.map(async (op) => {
      const series = (await seriesWritten.get(op.seriesKey)) ?? 'done';
      if (series === 'failed')
        outcome.failures.push(`exception ${quote(op.key)}: its series was not written`);
      if (series === 'done') await guarded(limit(() => writeInstance(op)));
    }),
  );
  await map.flush();
  return outcome;
}
