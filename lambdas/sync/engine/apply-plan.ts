import pLimit from 'p-limit';
import type { Horizon } from '../../shared/domain/ics/index.ts';
import {
  eventSignature,
  freshEventId,
  generationOfEventId,
} from '../../shared/domain/reconcile/event-ids.ts';
import { ownedFields } from '../../shared/domain/reconcile/owned-fields.ts';
import type {
  DeleteEvent,
  ForgetRow,
  InsertEvent,
  Plan,
  RemoveStray,
  UpdateEvent,
} from '../../shared/domain/reconcile/plan.ts';
import { PENDING } from '../../shared/domain/reconcile/plan.ts';
import { DELETION_HASH, nextRefusal } from '../../shared/domain/reconcile/refusals.ts';
import type { CalendarGateway } from '../../shared/ports/calendar-gateway.ts';
import type { EventMapRow } from '../../shared/ports/sync-stores.ts';
import type { Clock } from '../../shared/wiring/clock.ts';
import type { EventMapJournal } from './event-map-journal.ts';
import { EventWrites, type EventWritten, type FreshIds } from './event-writes.ts';
import { classifyGoogleError } from './google-error.ts';
import type { InstanceWrite } from './instance-finder.ts';
import { DeadlineReachedError, type QuotaPacedCaller, RunStoppedError } from './quota-paced-caller.ts';
import type { OperationKind, StopReason, SyncProblem, SyncWarning } from './sync-report.ts';

/**
 * How one operation ended: written; refused by Google as invalid (retrying the same content cannot help, so
 * it is remembered like a written one and tried again only when the feed changes it); failed (the next sync
 * retries it); or nothing to record for it (never started for a stop or the deadline, or refused by Google for
 * this event alone: `attempt` kept the refusal in its row already).
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
  /**
   * Quota units the run may spend (what is left of the subscriber's daily budget): no new operation starts once
   * the caller has spent them; the next UTC day continues.
   */
  maxUnits?: number;
  /** Keys an audit found changed in Google (see auditCalendar): their writes are counted as repairs. */
  repairs?: ReadonlySet<string>;
  /** The horizon the feed was mapped for: where instances of a restored series are checked. */
  horizon?: Horizon;
  /** The event map's rows the plan was made from: a refused write keeps its back-off on its row. */
  rows?: readonly EventMapRow[];
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
  /** Operations not started because the run spent its quota units (`maxUnits`). */
  overBudget: number;
  /** Writes of keys an audit found changed in Google that were made. */
  repaired: number;
  /** Copies the service lost track of (the plan's strays) that were deleted. */
  straysRemoved: number;
  /**
   * Keys whose operation ended for good in this run: written, refused as invalid, or refused for the event alone
   * (it waits out its back-off). An audit is complete once all it asked for are here; retrying the others next
   * time is worth it, these would only be refused again.
   */
  settledKeys: Set<string>;
  /** Writes Google refused for the event alone, each with the time it may be tried again. */
  refused: { key: string; retryAfter: string }[];
  /**
   * UIDs the feed renamed (see pairRenames): events moved onto their Google event under the new key, and
   * inserts held with their old event's deletion.
   */
  renamed: { moved: number; held: number };
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
  return new PlanApplication(plan, options).run();
}

const emptyReport = (): ApplyReport => ({
  created: 0,
  updated: 0,
  deleted: 0,
  insertedEvents: 0,
  forgottenEvents: 0,
  problems: [],
  warnings: [],
  deferred: 0,
  overBudget: 0,
  repaired: 0,
  straysRemoved: 0,
  settledKeys: new Set(),
  refused: [],
  renamed: { moved: 0, held: 0 },
});

const operationId = (operation: OperationKind, key: string) => `${operation}\n${key}`;

/** What each operation writes, by kind and key: the content a refusal is recorded for. */
function wantedHashesOf(plan: Plan): Map<string, string> {
  const wantedHashes = new Map<string, string>();
  for (const op of plan.seriesWrites)
    wantedHashes.set(operationId(op.kind, op.key), op.event.extendedProperties.private.icsHash);
  for (const op of plan.instanceWrites) {
    const hash = op.kind === 'revert_instance' ? op.hash : op.event.extendedProperties.private.icsHash;
    wantedHashes.set(operationId(op.kind === 'revert_instance' ? 'revert' : 'exception', op.key), hash);
  }
  for (const op of plan.deletions) wantedHashes.set(operationId('delete', op.key), DELETION_HASH);
  return wantedHashes;
}

/** The rows to forget with each series' deletion, by the series' key. */
function forgetsBySeriesOf(plan: Plan): Map<string, ForgetRow[]> {
  const forgetsBySeries = new Map<string, ForgetRow[]>();
  for (const forget of plan.forgets) {
    if (forget.seriesKey === undefined) continue;
    const list = forgetsBySeries.get(forget.seriesKey) ?? [];
    list.push(forget);
    forgetsBySeries.set(forget.seriesKey, list);
  }
  return forgetsBySeries;
}

/**
 * One application of a plan: its report, its concurrency limit, and what its operations learn from each other
 * (the series written under a fresh id, the deletions an insert or an instance waits for).
 */
class PlanApplication {
  private readonly report = emptyReport();
  private readonly plan: Plan;
  private readonly options: ApplyOptions;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly writes: EventWrites;
  private readonly wantedHashes: Map<string, string>;
  private readonly rowsByKey: Map<string, EventMapRow>;
  /** Google ids rows name: a fresh id is never one of them (it would be another event's). */
  private readonly namedIds: Set<string>;
  /** Series written in this run under another id than the plan's (a fresh id): their instances are there. */
  private readonly freshSeriesIds = new Map<string, string>();
  private readonly forgetsBySeries: Map<string, ForgetRow[]>;
  private readonly deletionKeys: Set<string>;
  private readonly deleted = new Map<string, Promise<OperationEnd | undefined>>();
  private readonly seriesWritten = new Map<string, Promise<OperationEnd | undefined>>();
  /** Operations started (see `maxUnits`). */
  private started = 0;
  private storeError: unknown;

  constructor(plan: Plan, options: ApplyOptions) {
    this.plan = plan;
    this.options = options;
    this.limit = pLimit(options.concurrency);
    this.writes = new EventWrites(
      options.calendarId,
      options.gateway,
      options.caller,
      plan.instanceWrites,
      () => this.stop('calendar_missing'),
    );
    this.wantedHashes = wantedHashesOf(plan);
    this.rowsByKey = new Map((options.rows ?? []).map((row) => [row.eventKey, row]));
    this.namedIds = new Set((options.rows ?? []).map((row) => row.googleId));
    this.forgetsBySeries = forgetsBySeriesOf(plan);
    this.deletionKeys = new Set(plan.deletions.map((d) => d.key));
  }

  async run(): Promise<ApplyReport> {
    await this.writeSeriesAndDeletions();
    await Promise.all(this.plan.instanceWrites.map((op) => this.writeInstanceAfterItsSeries(op)));
    await this.guarded(this.options.journal.flush());
    if (this.storeError !== undefined)
      this.report.problems.push({ kind: 'event_map_not_saved', errorName: nameOf(this.storeError) });
    return this.report;
  }

  private updatedAt(): string {
    return new Date(this.options.clock.now()).toISOString();
  }

  /** Operations still queued see the stop and end at once without a call. */
  private stop(reason: StopReason): void {
    this.report.stop ??= reason;
    this.options.caller.stop();
  }

  /**
   * A store failure ends the run (`store_failed`): no further Google call is made whose map row could not be
   * kept. What was written stays in Google under its intent row, and the next sync meets it again.
   */
  private guarded<T>(task: Promise<T>): Promise<T | undefined> {
    return task.catch((error: unknown) => {
      this.storeError ??= error;
      this.stop('store_failed');
      return undefined;
    });
  }

  /**
   * Stores the intent row of a write (hash PENDING), before its Google call: every write that changes the
   * calendar has one. Should the store fail, the call is not made: the run ends as `store_failed`.
   */
  private async intend(row: Omit<EventMapRow, 'hash' | 'updatedAt'>): Promise<void> {
    try {
      await this.options.journal.putIntent({ ...row, hash: PENDING, updatedAt: this.updatedAt() });
    } catch (error) {
      throw new IntentNotStored(error);
    }
  }

  /**
   * Whether the calendar is still there and open to the service, after an answer about one event (a 404, a
   * 403): the probe is made once per run. A probe refused as a whole (401, any 403, a quota) stops the run;
   * `unknown`: the probe failed otherwise, and the answer stays the operation's failure.
   */
  private async probeCalendar(): Promise<'open' | 'stopped' | 'unknown'> {
    try {
      return (await this.writes.isCalendarMissing()) ? 'stopped' : 'open';
    } catch (error) {
      if (error instanceof RunStoppedError) return 'stopped';
      const meaning = classifyGoogleError(error);
      switch (meaning) {
        case 'access_refused':
        case 'event_refused':
          this.stop('access_refused');
          return 'stopped';
        case 'needs_reauth':
        case 'usage_limit':
        case 'daily_limit':
          this.stop(meaning);
          return 'stopped';
        default:
          return 'unknown';
      }
    }
  }

  /**
   * Google refused this one event: its row (as this run left it, or as it was) keeps the refusal, so later syncs
   * wait before trying the same content again, and the run goes on. The row's id and hash stay, so the write is
   * still due once the wait is over.
   */
  private async refused(operation: OperationKind, key: string, error: unknown): Promise<void> {
    // Every operation is the plan's; one it did not name would simply never wait.
    const hash = this.wantedHashes.get(operationId(operation, key)) ?? PENDING;
    const previous = this.rowsByKey.get(key);
    const refusal = nextRefusal(previous?.refusal?.count ?? 0, hash, this.options.clock.now());
    this.report.refused.push({ key, retryAfter: refusal.retryAfter });
    this.report.warnings.push({
      kind: 'operation_refused',
      operation,
      key,
      googleMessage: messageOf(error),
      retryAfter: refusal.retryAfter,
    });
    const row = this.options.journal.rowOf(key) ?? previous;
    // No row to keep it on (none can be: every write has its row or intent first): tried again next sync.
    if (row) await this.options.journal.put({ ...row, updatedAt: this.updatedAt(), refusal });
  }

  /** Whether an operation may start: not once the run stopped, its deadline passed or its budget is spent. */
  private mayStart(): boolean {
    const { caller, clock, deadline, maxUnits } = this.options;
    if (caller.isStopped) return false;
    if (deadline !== undefined && clock.now() >= deadline) {
      this.report.deferred++;
      return false;
    }
    // Every operation costs at least a unit, which it may not have spent yet (waiting for its intent row): so
    // operations started together overshoot the budget by their further calls only.
    if (maxUnits !== undefined && Math.max(caller.units, this.started) >= maxUnits) {
      this.report.overBudget++;
      return false;
    }
    return true;
  }

  /** Runs one operation's Google calls; their errors become problems or warnings, or stop the run. */
  private async attempt(
    operation: OperationKind,
    key: string,
    work: () => Promise<void>,
  ): Promise<OperationEnd> {
    if (!this.mayStart()) return 'skipped';
    this.started++;
    try {
      await work();
      if (this.options.repairs?.has(key)) this.report.repaired++;
      this.report.settledKeys.add(key);
      return 'done';
    } catch (error) {
      return this.endAfterError(operation, key, error);
    }
  }

  /** How an operation whose Google calls threw ends: a stop, a refusal kept on its row, a warning or a problem. */
  private async endAfterError(operation: OperationKind, key: string, error: unknown): Promise<OperationEnd> {
    const report = this.report;
    if (error instanceof RunStoppedError) return 'skipped';
    // Waited for the project's quota until the deadline: left for the next sync like an operation not started.
    if (error instanceof DeadlineReachedError) {
      report.deferred++;
      return 'skipped';
    }
    if (error instanceof IntentNotStored) {
      this.storeError ??= error.cause;
      this.stop('store_failed');
      return 'skipped';
    }
    const meaning = classifyGoogleError(error);
    switch (meaning) {
      case 'needs_reauth':
      case 'usage_limit':
      case 'daily_limit':
      case 'access_refused':
        this.stop(meaning);
        return 'skipped';
      case 'event_refused': {
        // Only once the calendar itself answers is the refusal this event's; else the run stops for it.
        const calendar = await this.probeCalendar();
        if (calendar === 'stopped') return 'skipped';
        if (calendar === 'unknown') break;
        await this.refused(operation, key, error);
        report.settledKeys.add(key);
        return 'skipped';
      }
      case 'unexpected':
        // Not Google's answer (the access token source failed, or a bug): name it, never print it whole.
        report.problems.push({ kind: 'operation_crashed', operation, key, errorName: nameOf(error) });
        this.stop('unexpected_error');
        return 'skipped';
      case 'not_found':
        // A probe that fails otherwise leaves the 404 a failure of this operation.
        if ((await this.probeCalendar()) === 'stopped') return 'skipped';
        break;
      case 'invalid':
        report.warnings.push({ kind: 'operation_rejected', operation, key, googleMessage: messageOf(error) });
        report.settledKeys.add(key);
        return 'rejected';
    }
    report.problems.push({ kind: 'operation_failed', operation, key, googleMessage: messageOf(error) });
    return 'failed';
  }

  /** Series and single events, deletions, strays, forgotten and refreshed rows: all before any instance. */
  private async writeSeriesAndDeletions(): Promise<void> {
    const { plan, options } = this;
    for (const op of plan.seriesWrites) {
      const after = op.kind === 'insert' ? op.afterDeletionOf : undefined;
      const write =
        after !== undefined
          ? this.afterDeletion(op as InsertEvent, after)
          : this.limit(() => this.writeSeries(op));
      this.seriesWritten.set(op.key, this.guarded(write));
    }
    if (options.applyDeletions) {
      for (const op of plan.deletions)
        this.deleted.set(op.key, this.guarded(this.limit(() => this.deleteEvent(op))));
    }
    // Held with the deletions: a feed the breaker doubts is no ground for deleting anything.
    const straysRemoved = options.applyDeletions
      ? plan.strays.map((op) => this.guarded(this.limit(() => this.removeStray(op))))
      : [];
    // Rows with nothing to call Google about: past events, exceptions whose series row is gone or forgotten.
    const forgetNow = plan.forgets.filter(
      (f) => f.seriesKey === undefined || !this.deletionKeys.has(f.seriesKey),
    );
    this.report.forgottenEvents = forgetNow.filter((f) => f.seriesKey === undefined).length;
    const forgotten = forgetNow.map((f) => this.guarded(options.journal.remove(f.key)));
    // Series whose end moved with their exceptions, without a call.
    const refreshed = plan.rowRefreshes.map((row) => this.guarded(options.journal.put(row)));
    await Promise.all([
      ...this.seriesWritten.values(),
      ...this.deleted.values(),
      ...straysRemoved,
      ...forgotten,
      ...refreshed,
    ]);
  }

  /**
   * A renamed UID's insert waits for the deletion of its old event (see pairRenames): held with it, so Google
   * never shows both.
   */
  private async afterDeletion(op: InsertEvent, oldKey: string): Promise<OperationEnd> {
    // The deletions are queued once this goes on (they are, just below, in the same turn).
    await Promise.resolve();
    const oldEvent = (await this.deleted.get(oldKey)) ?? 'held';
    if (oldEvent !== 'done') {
      this.report.renamed.held++;
      return 'skipped';
    }
    return this.limit(() => this.writeSeries(op));
  }

  /**
   * The row fields of a series or single event living under `googleId`, over `kept` (the fields of a row this
   * run does not own, such as a refusal): the id is the row's own when it is not the one computed from the key.
   */
  private seriesRow(op: InsertEvent | UpdateEvent, googleId: string, kept?: EventMapRow) {
    const { ownGoogleId: _own, ...rest } = kept ?? { eventKey: op.key };
    return {
      ...rest,
      eventKey: op.key,
      googleId,
      signature: eventSignature(op.event),
      ...(googleId !== op.event.id ? { ownGoogleId: true as const } : {}),
    };
  }

  /** Fresh ids for a series whose id Google will not take again: each stored as an intent before it is used. */
  private freshIdsFor(op: InsertEvent | UpdateEvent, previous: EventMapRow | undefined): FreshIds {
    // A fresh id is a generation of the event's computed id, after the one the row names if it is one.
    const baseId = op.event.id ?? op.googleId;
    let generation = generationOfEventId(op.googleId, baseId) ?? 0;
    return {
      used: 0,
      next: async () => {
        let id: string;
        do id = freshEventId(baseId, ++generation);
        while (this.namedIds.has(id));
        await this.intend(this.seriesRow(op, id, previous));
        // The new event's instances are not the old one's: the rows of its exceptions and reverts no longer name
        // them, so a run that stops before writing them leaves rows the next sync writes again.
        for (const row of this.options.rows ?? [])
          if (row.seriesKey === op.key) await this.intend({ ...row, googleId: '' });
        return id;
      },
    };
  }

  private async writeSeries(op: InsertEvent | UpdateEvent): Promise<OperationEnd> {
    const { journal, horizon } = this.options;
    const fields = ownedFields(op.event);
    const previous = this.rowsByKey.get(op.key);
    let written: EventWritten = { googleId: op.googleId, restored: false };
    const freshIds = this.freshIdsFor(op, previous);
    const end = await this.attempt(op.kind, op.key, async () => {
      if (op.kind === 'update') {
        // Intent first, keeping the row's id: should the answer be lost (or the run stop), the row no longer
        // claims the content it had, so a feed going back to that content is still written.
        await this.intend(this.seriesRow(op, op.googleId, previous));
        written = await this.writes.updateOrInsert(op.googleId, fields, freshIds);
        return;
      }
      // The event under the old id goes first: should the insert then fail, the row still names the old id
      // and the next sync tries both again.
      if (op.replaces) await this.writes.delete(op.replaces);
      // Without a row, an event the insert creates must not be lost with a crash (a row with another id stays
      // until the insert succeeded, so it is found again either way).
      else if (!op.resumes) await this.intend(this.seriesRow(op, op.googleId));
      written = await this.writes.insertOrRestore(op.googleId, fields, freshIds);
      if (written.restored && horizon) {
        await this.writes.restoreInstances(op, written.googleId, horizon, () => this.report.updated++);
      }
    });
    if (end === 'failed' || end === 'skipped') return end;
    if (written.googleId !== op.googleId) this.freshSeriesIds.set(op.key, written.googleId);
    this.countSeriesWrite(op, end, written);
    // A new row: what this run knows of the event replaces what the old one kept (a refusal among it).
    await journal.put({
      ...this.seriesRow(op, written.googleId),
      hash: op.event.extendedProperties.private.icsHash,
      updatedAt: this.updatedAt(),
      ...(op.endsAt !== undefined ? { endsAt: op.endsAt } : {}),
    });
    // The renamed UID's row went with its event (its removal after the new row: never an event without one).
    if (op.kind === 'update' && op.movedFrom !== undefined) await journal.remove(op.movedFrom);
    return end;
  }

  private countSeriesWrite(op: InsertEvent | UpdateEvent, end: 'done' | 'rejected', written: EventWritten) {
    const report = this.report;
    // A resumed intent that finds its event in Google (an update, a delete or an insert whose answer was lost)
    // changed an event that was there: an update.
    if (end === 'rejected') {
      // Without its series in Google, the series' exceptions would only be refused as well.
    } else if (op.kind === 'insert' && !op.replaces && !(op.resumes && written.restored)) {
      report.created++;
      // An intent row was counted as an event of the calendar already.
      if (!op.resumes) report.insertedEvents++;
    } else report.updated++;
    if (op.kind === 'update' && op.movedFrom !== undefined && end === 'done') report.renamed.moved++;
  }

  private async deleteEvent(op: DeleteEvent): Promise<OperationEnd> {
    const end = await this.attempt('delete', op.key, async () => {
      // Intent first: should the answer be lost and the feed bring the event back, the row must not claim the
      // event is in Google as written (the next sync writes it again, restoring it through 409).
      await this.intend({ ...(this.rowsByKey.get(op.key) ?? { eventKey: op.key }), googleId: op.googleId });
      await this.writes.delete(op.googleId);
    });
    if (end !== 'done') return end;
    this.report.deleted++;
    await this.options.journal.remove(op.key);
    for (const forget of this.forgetsBySeries.get(op.key) ?? [])
      await this.options.journal.remove(forget.key);
    return end;
  }

  private async removeStray(op: RemoveStray): Promise<void> {
    if ((await this.attempt('delete', op.key, () => this.writes.delete(op.googleId))) === 'done')
      this.report.straysRemoved++;
  }

  /** An instance is written once its series is (and once any old event under its key is deleted). */
  private async writeInstanceAfterItsSeries(op: InstanceWrite): Promise<void> {
    // A series not written in this run is in Google already; one whose write ended the run counts as skipped.
    const written = this.seriesWritten.get(op.seriesKey);
    const series = written ? ((await written) ?? 'skipped') : 'done';
    if (series === 'failed') this.report.problems.push({ kind: 'series_not_written', key: op.key });
    // A row written under this key before each kind had its own key: its event must go before the row is
    // taken over, or it would be lost from the map while still in Google.
    const previous = this.deletionKeys.has(op.key) ? ((await this.deleted.get(op.key)) ?? 'skipped') : 'done';
    // A series written under a fresh id in this run: its instances are the new event's, none has an id yet.
    const freshId = this.freshSeriesIds.get(op.seriesKey);
    const { googleId: _stale, ...unknownInstance } = op;
    const target = freshId === undefined ? op : { ...unknownInstance, seriesGoogleId: freshId };
    if (series === 'done' && previous === 'done')
      await this.guarded(this.limit(() => this.writeInstance(target)));
  }

  private async writeInstance(op: InstanceWrite): Promise<void> {
    const { journal } = this.options;
    const report = this.report;
    const fields = ownedFields(op.event);
    let instanceId: string | undefined;
    const operation = op.kind === 'write_exception' ? 'exception' : 'revert';
    const end = await this.attempt(operation, op.key, async () => {
      // Intent first (every exception and revert, not only new ones), keeping the instance id the row knows: a
      // lost answer or a stopped run leaves a row that claims nothing, so the next sync writes it again.
      const previous = this.rowsByKey.get(op.key);
      const kept = previous?.seriesKey !== undefined ? previous : { eventKey: op.key };
      await this.intend({ ...kept, eventKey: op.key, googleId: op.googleId ?? '', seriesKey: op.seriesKey });
      instanceId = await this.writes.writeOverInstance(op, fields);
    });
    if (end === 'failed' || end === 'skipped') return;
    const row = {
      eventKey: op.key,
      googleId: instanceId ?? '',
      updatedAt: this.updatedAt(),
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
  }
}
