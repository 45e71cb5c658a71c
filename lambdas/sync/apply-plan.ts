import pLimit from 'p-limit';
import type { Horizon } from '../shared/domain/ics/index.ts';
import { ownedFields } from '../shared/domain/reconcile/owned-fields.ts';
import type {
  DeleteEvent,
  ForgetRow,
  InsertEvent,
  Plan,
  UpdateEvent,
} from '../shared/domain/reconcile/plan.ts';
import { PENDING } from '../shared/domain/reconcile/plan.ts';
import type { CalendarGateway } from '../shared/ports/calendar-gateway.ts';
import type { EventMapRow } from '../shared/ports/sync-stores.ts';
import type { Clock } from './clock.ts';
import type { EventMapJournal } from './event-map-journal.ts';
import { EventWrites } from './event-writes.ts';
import { classifyGoogleError } from './google-error.ts';
import type { InstanceWrite } from './instance-finder.ts';
import { type QuotaPacedCaller, RunStoppedError } from './quota-paced-caller.ts';
import type { OperationKind, StopReason, SyncProblem, SyncWarning } from './sync-report.ts';

/**
 * How one operation ended: written; refused by Google as invalid (retrying the same content cannot help, so
 * it is remembered like a written one and tried again only when the feed changes it); failed (the next sync
 * retries it); or never started (stop or deadline).
 */
type OperationEnd = 'done' | 'rejected' | 'failed' | 'skipped';

export interface ApplyOptions {
  calendarId: string;
  gateway: CalendarGateway;
  caller: QuotaPacedCaller;
  journal: EventMapJournal;
  clock: Clock;
  concurrency: number;
  /** Apply deletions (false while the mass-delete breaker holds them). */
  applyDeletions: boolean;
  /** Epoch ms after which no new operation starts (the function's time limit); the next sync continues. */
  deadline?: number;
  /** The horizon the feed was mapped for: where instances of a restored series are checked. */
  horizon?: Horizon;
}

/** The intent row of a write could not be stored: the write is not made, and the run ends. */
class IntentNotStored extends Error {
  override readonly name = 'IntentNotStored';
  constructor(override readonly cause: unknown) {
    super('the event map could not store an intent row');
  }
}

/** What applying a plan did. */
export interface ApplyReport {
  created: number;
  updated: number;
  deleted: number;
  /** Series and single events inserted (the calendar's event count grows by these). */
  insertedEvents: number;
  /** Rows of series and single events forgotten without a call (the map's event count shrinks by these). */
  forgottenEvents: number;
  /** Operations that failed (the next sync retries them). */
  problems: SyncProblem[];
  /** Things that were done as well as they could be, but the user may want to know. */
  warnings: SyncWarning[];
  /** Operations not started because the deadline passed. */
  deferred: number;
  stop?: StopReason;
}

const nameOf = (error: unknown) => (error instanceof Error ? error.name : 'unknown error');
/** Google's words for a refusal (a CalendarApiError's message: status, reason, detail; no token, no URL). */
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Carries out a plan: series and single events first (with the deletions), then the instances of recurring
 * events, each only once its series is written. Every Google write that succeeds is recorded in the event map
 * right after, through the journal. The Google call sequences are the EventWrites'; here are the order, the
 * rows and the counts.
 */
export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyReport> {
  const { caller, journal, clock } = options;
  const report: ApplyReport = {
    created: 0,
    updated: 0,
    deleted: 0,
    insertedEvents: 0,
    forgottenEvents: 0,
    problems: [],
    warnings: [],
    deferred: 0,
  };
  const limit = pLimit(options.concurrency);
  let storeError: unknown;
  const updatedAt = () => new Date(clock.now()).toISOString();

  // Operations still queued see the stop and end at once without a call.
  const stop = (reason: StopReason) => {
    report.stop ??= reason;
    caller.stop();
  };

  const writes = new EventWrites(options.calendarId, options.gateway, caller, plan.instanceWrites, () =>
    stop('calendar_missing'),
  );

  /**
   * Stores the intent row of a write that creates something, before its Google call. Should the store fail, the
   * call is not made: the run ends as `store_failed`.
   */
  const intend = async (row: Omit<EventMapRow, 'hash' | 'updatedAt'>) => {
    try {
      await journal.putIntent({ ...row, hash: PENDING, updatedAt: updatedAt() });
    } catch (error) {
      throw new IntentNotStored(error);
    }
  };

  /** Runs one operation's Google calls; their errors become problems or warnings, or stop the run. */
  const attempt = async (
    operation: OperationKind,
    key: string,
    work: () => Promise<void>,
  ): Promise<OperationEnd> => {
    if (caller.isStopped) return 'skipped';
    if (options.deadline !== undefined && clock.now() >= options.deadline) {
      report.deferred++;
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
      const meaning = classifyGoogleError(error);
      switch (meaning) {
        case 'needs_reauth':
        case 'usage_limit':
        case 'access_refused':
          stop(meaning);
          return 'skipped';
        case 'unexpected':
          // Not Google's answer (the access token source failed, or a bug): name it, never print it whole.
          report.problems.push({ kind: 'operation_crashed', operation, key, errorName: nameOf(error) });
          stop('unexpected_error');
          return 'skipped';
        case 'not_found':
          // A probe that fails leaves the 404 a failure of this operation.
          if (await writes.isCalendarMissing().catch(() => false)) return 'skipped';
          break;
        case 'invalid':
          report.warnings.push({
            kind: 'operation_rejected',
            operation,
            key,
            googleMessage: messageOf(error),
          });
          return 'rejected';
      }
      report.problems.push({ kind: 'operation_failed', operation, key, googleMessage: messageOf(error) });
      return 'failed';
    }
  };

  const writeSeries = async (op: InsertEvent | UpdateEvent): Promise<OperationEnd> => {
    const fields = ownedFields(op.event);
    const end = await attempt(op.kind, op.key, async () => {
      if (op.kind === 'update') {
        await writes.updateOrInsert(op.googleId, fields);
        return;
      }
      // The event under the old id goes first: should the insert then fail, the row still names the old id
      // and the next sync tries both again.
      if (op.replaces) await writes.delete(op.replaces);
      // Without a row, an event the insert creates must not be lost with a crash (a row with another id stays
      // until the insert succeeded, so it is found again either way).
      else if (!op.resumes) await intend({ eventKey: op.key, googleId: op.googleId });
      const restored = await writes.insertOrRestore(op.googleId, fields);
      if (restored && options.horizon) {
        await writes.restoreInstances(op, options.horizon, () => report.updated++);
      }
    });
    if (end === 'failed' || end === 'skipped') return end;
    if (end === 'rejected') {
      // Without its series in Google, the series' exceptions would only be refused as well.
    } else if (op.kind === 'insert' && !op.replaces) {
      report.created++;
      // An intent row was counted as an event of the calendar already.
      if (!op.resumes) report.insertedEvents++;
    } else report.updated++;
    await journal.put({
      eventKey: op.key,
      googleId: op.googleId,
      hash: op.event.extendedProperties.private.icsHash,
      updatedAt: updatedAt(),
      ...(op.endsAt !== undefined ? { endsAt: op.endsAt } : {}),
    });
    return end;
  };

  const forgetsBySeries = new Map<string, ForgetRow[]>();
  for (const forget of plan.forgets) {
    if (forget.seriesKey === undefined) continue;
    const list = forgetsBySeries.get(forget.seriesKey) ?? [];
    list.push(forget);
    forgetsBySeries.set(forget.seriesKey, list);
  }
  const deletionKeys = new Set(plan.deletions.map((d) => d.key));

  const deleteEvent = async (op: DeleteEvent): Promise<OperationEnd> => {
    const end = await attempt('delete', op.key, () => writes.delete(op.googleId));
    if (end !== 'done') return end;
    report.deleted++;
    await journal.remove(op.key);
    for (const forget of forgetsBySeries.get(op.key) ?? []) await journal.remove(forget.key);
    return end;
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

  const seriesWritten = new Map<string, Promise<OperationEnd | undefined>>();
  for (const op of plan.seriesWrites) seriesWritten.set(op.key, guarded(limit(() => writeSeries(op))));
  const deleted = new Map<string, Promise<OperationEnd | undefined>>();
  if (options.applyDeletions) {
    for (const op of plan.deletions) deleted.set(op.key, guarded(limit(() => deleteEvent(op))));
  }
  // Rows with nothing to call Google about: past events, exceptions whose series row is gone or forgotten.
  const forgetNow = plan.forgets.filter((f) => f.seriesKey === undefined || !deletionKeys.has(f.seriesKey));
  report.forgottenEvents = forgetNow.filter((f) => f.seriesKey === undefined).length;
  const forgotten = forgetNow.map((f) => guarded(journal.remove(f.key)));
  // Series whose end moved with their exceptions, without a call.
  const refreshed = plan.rowRefreshes.map((row) => guarded(journal.put(row)));
  await Promise.all([...seriesWritten.values(), ...deleted.values(), ...forgotten, ...refreshed]);

  const writeInstance = async (op: InstanceWrite) => {
    const fields = ownedFields(op.event);
    let instanceId: string | undefined;
    const operation = op.kind === 'write_exception' ? 'exception' : 'revert';
    const end = await attempt(operation, op.key, async () => {
      if (op.kind === 'write_exception' && op.isNew) {
        await intend({ eventKey: op.key, googleId: '', seriesKey: op.seriesKey });
      }
      instanceId = await writes.writeOverInstance(op, fields);
    });
    if (end === 'failed' || end === 'skipped') return;
    const row = {
      eventKey: op.key,
      googleId: instanceId ?? '',
      updatedAt: updatedAt(),
      seriesKey: op.seriesKey,
    };
    if (op.kind === 'revert_instance') {
      report.updated++;
      // No instance there: nothing overrides the series, nothing to remember.
      if (instanceId === undefined && end === 'done') await journal.remove(op.key);
      else await journal.put({ ...row, hash: op.hash });
      return;
    }
    if (end === 'rejected') {
      // Remembered with its hash: tried again when the feed changes it.
    } else if (instanceId === undefined) {
      // Remembered all the same, so the next sync does not try again until the feed or the series changes.
      report.warnings.push({ kind: 'no_such_occurrence', key: op.key });
    } else if (op.isNew) report.created++;
    else report.updated++;
    await journal.put({ ...row, hash: op.event.extendedProperties.private.icsHash });
  };

  await Promise.all(
    plan.instanceWrites.map(async (op) => {
      // A series not written in this run is in Google already; one whose write ended the run counts as skipped.
      const written = seriesWritten.get(op.seriesKey);
      const series = written ? ((await written) ?? 'skipped') : 'done';
      if (series === 'failed') report.problems.push({ kind: 'series_not_written', key: op.key });
      // A row written under this key before each kind had its own key: its event must go before the row is
      // taken over, or it would be lost from the map while still in Google.
      const previous = deletionKeys.has(op.key) ? ((await deleted.get(op.key)) ?? 'skipped') : 'done';
      if (series === 'done' && previous === 'done') await guarded(limit(() => writeInstance(op)));
    }),
  );
  await guarded(journal.flush());
  if (storeError !== undefined)
    report.problems.push({ kind: 'event_map_not_saved', errorName: nameOf(storeError) });
  return report;
}
