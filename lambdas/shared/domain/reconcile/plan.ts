import type { EventMapRow } from '../entities/event-map-row.ts';
import { expandSeries } from '../expansion/index.ts';
import {
  type EventDateTime,
  eventKey,
  type GoogleEvent,
  recurrenceIdOfKey,
  SPLIT_KEY_SUFFIX,
  STANDALONE_KEY_SUFFIX,
} from '../google-event.ts';
import { DAY_MS } from '../time/civil.ts';
import { instantOf } from '../time/event-time.ts';
import { endOfEvent } from './ends.ts';
import { eventSignature, freshEventId, rowGoogleIdFor } from './event-ids.ts';
import { isException } from './owned-fields.ts';
import { DELETION_HASH, waitingRefusal } from './refusals.ts';
import { seriesDuration, shiftBy, startFromBasic, timeKey } from './times.ts';

/** A series or single event the calendar lacks: insert it under its deterministic id. */
export interface InsertEvent {
  kind: 'insert';
  key: string;
  googleId: string;
  event: GoogleEvent;
  /** When the event is over (ISO 8601; see endOfEvent), kept in its row; absent for a series without end. */
  endsAt?: string;
  /**
   * The Google id the row held when it differs from the event's id (the id scheme changed): that event is
   * deleted first, so the calendar never shows both.
   */
  replaces?: string;
  /**
   * The row is an intent left by a run that stopped around this write (see PENDING): the event may be in Google
   * already (maybe with older content, or cancelled), and the row already counts it.
   */
  resumes?: true;
  /**
   * The feed renamed an event (see UpdateEvent.movedFrom) whose old event cannot be moved (its row has exception
   * rows) or whose deletion waits: this insert is made only once that key's deletion is done in this run, so
   * Google never shows both. Held with it while the mass-delete breaker holds the deletions.
   */
  afterDeletionOf?: string;
}

/** A series or single event whose content changed: write its owned fields. */
export interface UpdateEvent {
  kind: 'update';
  key: string;
  googleId: string;
  event: GoogleEvent;
  endsAt?: string;
  /**
   * The feed renamed the event (a new UID, the same start, end and summary as the row of this key, which left the
   * feed): the Google event of that row is updated with the new content and its row moves to the new key, keeping
   * its Google id (`ownGoogleId`), instead of an insert and a deletion.
   */
  movedFrom?: string;
}

/**
 * An exception (new or changed): write it over the instance Google made for it. Instance ids are Google's and
 * opaque, so the instance is found through Google by its series and original start (`event.recurringEventId`,
 * `event.originalStartTime`) unless the row already holds the id Google gave it.
 */
export interface WriteException {
  kind: 'write_exception';
  key: string;
  /** The instance's id as Google gave it, from the row; absent when it is still to be looked up. */
  googleId?: string;
  seriesKey: string;
  /** The Google id the series lives under (its row's id: see rowGoogleIdFor); its instances are found there. */
  seriesGoogleId: string;
  event: GoogleEvent;
  /** No row yet: this exception is new to the calendar. */
  isNew: boolean;
}

/**
 * An instance the service once overrode that the feed no longer overrides: give it the series' content back,
 * or cancel it when the series (rewritten since) no longer has an occurrence there. Google keeps an override
 * for good, so its row stays too (with `hash`), to be reverted again whenever the series is rewritten.
 */
export interface RevertInstance {
  kind: 'revert_instance';
  key: string;
  /** The instance's id from the row; absent when Google never showed one (looked up like a new exception). */
  googleId?: string;
  seriesKey: string;
  /** The Google id the series lives under (see WriteException). */
  seriesGoogleId: string;
  /** The instance as the series alone would have it (cancelled if it is no occurrence of the series). */
  event: GoogleEvent;
  /** The row's hash once reverted: tied to the series' hash, so a series change reverts it again. */
  hash: string;
}

/** A series or single event the feed no longer has. */
export interface DeleteEvent {
  kind: 'delete';
  key: string;
  googleId: string;
}

/**
 * An event carrying the service's marks that no row names (an audit found it): a copy the service lost track
 * of. Deleted; it has no row to remove.
 */
export interface RemoveStray {
  kind: 'remove_stray';
  /** The key its marks name, for messages only (another event may hold that key's row). */
  key: string;
  googleId: string;
}

/**
 * A row that goes without a Google call: an exception whose series is deleted (deleting the series removes the
 * instance) or forgotten; an event that is over and left the feed's horizon (past events stay in Google); a row
 * whose Google id another key now writes (a key scheme change).
 */
export interface ForgetRow {
  kind: 'forget';
  key: string;
  /** Set on exceptions: the row goes once its series is deleted (right away when the series is not). */
  seriesKey?: string;
}

export interface PlanOptions {
  /**
   * Keys an audit found changed in Google although their rows are up to date (see auditCalendar): written
   * again as if their content had changed. A key no row knows names an instance the user changed: reverted.
   */
  diverged?: ReadonlySet<string>;
  /** Events with the service's marks that no row names (see auditCalendar): deleted. */
  strays?: readonly { googleId: string; key?: string }[];
  /** UIDs of feed components that could not be read: their events are left as they are, never deleted. */
  unreadableUids?: Iterable<string>;
  /**
   * The start of the horizon the feed was mapped for. An event whose row says it was over by then left the
   * mapped set for being past, not because the feed dropped it: its row is forgotten, the event stays in Google.
   */
  horizonStart?: Date;
  /**
   * Now, for the writes Google refused (see EventRefusal): those whose wait is not over at this time are left
   * out of the plan (`waiting`). Without it, every write is planned.
   */
  now?: Date;
}

/** A write Google refused before whose wait is not over: not planned; tried again after `retryAfter`. */
interface WaitingWrite {
  key: string;
  retryAfter: string;
  /** Refusals in a row. */
  count: number;
}

export interface Plan {
  /** Series and single events to insert or update; independent of one another. */
  seriesWrites: (InsertEvent | UpdateEvent)[];
  /** Instance patches and reverts; each must wait for its series' write, if that series has one. */
  instanceWrites: (WriteException | RevertInstance)[];
  /** Series and single events to delete (what the mass-delete breaker weighs). */
  deletions: DeleteEvent[];
  /** Copies the service lost track of (an audit found them); not weighed by the breaker, held with it. */
  strays: RemoveStray[];
  /** Rows that go without a call (see ForgetRow). */
  forgets: ForgetRow[];
  /** Desired events already in the calendar with the same content: no call. */
  unchanged: number;
  /** Series and single events in the calendar according to the map, before this plan. */
  eventsInCalendar: number;
  /** Desired events the plan cannot place, with the reason (e.g. an exception whose series is not in the feed). */
  skipped: { key: string; reason: string }[];
  /**
   * Rows of series that are not rewritten but whose end moved (an exception added, moved or dropped): stored
   * again without a Google call, so a series with an exception still ahead is never taken for one that is over.
   */
  rowRefreshes: EventMapRow[];
  /** Writes Google refused whose wait is not over (their exceptions and reverts wait with a series). */
  waiting: WaitingWrite[];
}

/**
 * The hash of an intent row: written before every Google call that changes the calendar (insert, update, delete,
 * exception, revert, move) and replaced by the real row once the call succeeded. A run that stops in between
 * (killed, the map store failing, every answer lost) leaves the intent, so the event, which may be in Google
 * already, is never left without a row, and no row claims content Google may not have: a pending series is
 * inserted again (409: it is there, and is overwritten), a pending exception written again, a pending row whose
 * key left the feed deleted (or reverted).
 */
export const PENDING = 'pending';
export const isPending = (row: EventMapRow | undefined): boolean => row?.hash === PENDING;

/**
 * Compares the desired events of a feed with the event map and returns what to write. Content is compared
 * through the hash the mapping puts in `extendedProperties.private.icsHash`, so an unchanged event costs nothing.
 *
 * A series or single event with status `cancelled` is treated as absent (Google shows a cancelled event as
 * deleted), and takes its exceptions with it. When a series is inserted or updated, its exceptions are patched
 * again even if they did not change: rewriting a series may reset its instances in Google.
 */
export function planSync(
  desiredEvents: readonly GoogleEvent[],
  rows: readonly EventMapRow[],
  options: PlanOptions = {},
): Plan {
  return new SyncPlanner(desiredEvents, rows, options).plan();
}

/**
 * One planning, in the order its steps depend on each other: the Google id of each series (renamed UIDs paired
 * with their old rows), then the series and single events, their exceptions, the rows of the event map
 * (deletions, forgotten rows, reverted instances), the instances an audit found changed, the strays, and the rows
 * whose end moved.
 */
class SyncPlanner {
  private readonly rows: readonly EventMapRow[];
  private readonly options: PlanOptions;
  private readonly skipped: Plan['skipped'] = [];
  private readonly isUnreadable: (row: EventMapRow) => boolean;
  private readonly horizonStart: number | undefined;
  private readonly rowByKey: Map<string, EventMapRow>;
  private readonly diverged: ReadonlySet<string>;
  private readonly waiting: WaitingWrite[] = [];
  /** Series whose write waits: their exceptions and reverts wait with them. */
  private readonly waitingSeries = new Set<string>();
  // The last event of a key wins, as the mapping's duplicate-UID rule would have it.
  private readonly seriesByKey = new Map<string, GoogleEvent>();
  private readonly exceptionsByKey = new Map<string, GoogleEvent>();
  private readonly seriesKeyById = new Map<string, string>();
  private readonly exceptionsBySeriesId = new Map<string, GoogleEvent[]>();
  private readonly rowIds: Set<string>;
  /** The Google id each series lives under (see assignSeriesIds). */
  private readonly seriesIds = new Map<string, string>();
  private renames: Renames = { moves: new Map(), movedRows: new Set(), heldBehind: new Map() };
  /** Google ids the plan writes or keeps, and whose key: a row of another key naming one is not deleted. */
  private keyByLiveId = new Map<string, string>();
  private readonly seriesWrites: Plan['seriesWrites'] = [];
  private readonly rewrittenSeries = new Set<string>();
  /** Series written under another Google id than their row's (an id scheme change). */
  private readonly replacedSeries = new Set<string>();
  private unchanged = 0;
  private readonly instanceWrites: Plan['instanceWrites'] = [];
  private readonly placedExceptions = new Set<string>();
  private readonly deletions: DeleteEvent[] = [];
  private readonly forgets: ForgetRow[] = [];
  private eventsInCalendar = 0;

  constructor(desiredEvents: readonly GoogleEvent[], rows: readonly EventMapRow[], options: PlanOptions) {
    this.rows = rows;
    this.options = options;
    this.isUnreadable = unreadableMatcher(options.unreadableUids ?? []);
    this.horizonStart = options.horizonStart?.getTime();
    this.rowByKey = new Map(rows.map((row) => [row.eventKey, row]));
    this.diverged = options.diverged ?? new Set<string>();
    this.rowIds = new Set(rows.map((row) => row.googleId));
    for (const event of desiredEvents) {
      if (isException(event)) this.exceptionsByKey.set(eventKey(event), event);
      else if (event.status !== 'cancelled') this.seriesByKey.set(eventKey(event), event);
    }
    for (const [key, event] of this.seriesByKey) if (event.id) this.seriesKeyById.set(event.id, key);
    for (const event of this.exceptionsByKey.values()) {
      const list = this.exceptionsBySeriesId.get(event.recurringEventId as string) ?? [];
      list.push(event);
      this.exceptionsBySeriesId.set(event.recurringEventId as string, list);
    }
  }

  plan(): Plan {
    this.assignSeriesIds();
    for (const [key, event] of this.seriesByKey) this.planSeries(key, event);
    for (const [key, event] of this.exceptionsByKey) this.planException(key, event);
    for (const row of this.rows) {
      if (row.seriesKey === undefined) this.planSeriesRow(row);
      else this.planInstanceRow(row, row.seriesKey);
    }
    this.revertDivergedInstances();
    return {
      seriesWrites: this.seriesWrites,
      instanceWrites: this.instanceWrites,
      deletions: this.deletions,
      strays: this.strays(),
      forgets: this.forgets,
      unchanged: this.unchanged,
      eventsInCalendar: this.eventsInCalendar,
      skipped: this.skipped,
      rowRefreshes: this.rowRefreshes(),
      waiting: this.waiting,
    };
  }

  // endsAt is the first horizon start that no longer overlaps the event (endOfEvent, ../time/window.ts).
  private isOver(row: EventMapRow): boolean {
    return (
      this.horizonStart !== undefined &&
      row.endsAt !== undefined &&
      Date.parse(row.endsAt) <= this.horizonStart
    );
  }

  /** Whether Google refused this content of the row's event and the wait is not over (then noted as waiting). */
  private waits(key: string, row: EventMapRow | undefined, wantedHash: string): boolean {
    const refusal = waitingRefusal(row, wantedHash, this.options.now);
    if (refusal) this.waiting.push({ key, retryAfter: refusal.retryAfter, count: refusal.count });
    return refusal !== undefined;
  }

  private endsAtOf(event: GoogleEvent): { endsAt?: string } {
    const end = endOfEvent(event, this.exceptionsBySeriesId.get(event.id as string));
    return end ? { endsAt: end.toISOString() } : {};
  }

  /**
   * The Google id each series lives under: its row's (rowGoogleIdFor), else its computed id, else (when a row of
   * another key of the feed holds that id as its own, a renamed UID that came back) a fresh generation of it.
   */
  private assignSeriesIds(): void {
    const { rows, seriesByKey, seriesIds } = this;
    const ownIdsInFeed = new Set(
      rows.filter((row) => row.ownGoogleId && seriesByKey.has(row.eventKey)).map((row) => row.googleId),
    );
    for (const [key, event] of seriesByKey) {
      if (!event.id) continue;
      const row = legacyRow(this.rowByKey.get(key), false);
      const held = row && rowGoogleIdFor(row, event);
      seriesIds.set(
        key,
        held ?? (ownIdsInFeed.has(event.id) ? freeFreshId(event.id, this.rowIds) : event.id),
      );
    }
    // UID renames: see pairRenames. A moved event's key lives under the Google id of the row it moves from.
    const idsInFeed = new Set(seriesIds.values());
    this.renames = pairRenames(seriesByKey, rows, this.rowByKey, {
      isKept: (row) => this.isUnreadable(row) || this.isOver(row) || idsInFeed.has(row.googleId),
      deletionWaits: (row) => waitingRefusal(row, DELETION_HASH, this.options.now) !== undefined,
    });
    for (const [key, from] of this.renames.moves) seriesIds.set(key, from.googleId);
    this.keyByLiveId = new Map([...seriesIds].map(([key, id]) => [id, key]));
  }

  private planSeries(key: string, event: GoogleEvent): void {
    const googleId = this.seriesIds.get(key);
    if (!event.id || googleId === undefined) {
      this.skipped.push({ key, reason: 'event without an id' });
      return;
    }
    const row = legacyRow(this.rowByKey.get(key), false);
    if (this.waits(key, row, event.extendedProperties.private.icsHash)) {
      this.waitingSeries.add(key);
      return;
    }
    const heldId = row && rowGoogleIdFor(row, event);
    const movedFrom = this.renames.moves.get(key);
    // Only a series written needs its end (endOfEvent may expand the series).
    const write = () => ({ key, googleId, event, ...this.endsAtOf(event) });
    if (movedFrom) {
      // The Google event of the renamed UID's row takes the new content and key: no second copy, no deletion.
      this.rewrite({ kind: 'update', ...write(), movedFrom: movedFrom.eventKey });
    } else if (row && isPending(row) && heldId) {
      // Maybe written, maybe not: an insert is right either way (409 means it is there, and it is overwritten).
      this.rewrite({ kind: 'insert', ...write(), resumes: true });
    } else if (!row || !heldId) {
      // A different id than the map's can only come from a changed id scheme: the old event goes first, unless
      // another key of the feed writes that id now.
      const replaces = row && !this.keyByLiveId.has(row.googleId) ? { replaces: row.googleId } : {};
      const after = this.renames.heldBehind.get(key);
      this.rewrite({
        kind: 'insert',
        ...write(),
        ...replaces,
        ...(after !== undefined ? { afterDeletionOf: after } : {}),
      });
      if (row) this.replacedSeries.add(key);
    } else if (row.hash !== event.extendedProperties.private.icsHash || this.diverged.has(key)) {
      this.rewrite({ kind: 'update', ...write() });
    } else {
      this.unchanged++;
    }
  }

  private rewrite(write: InsertEvent | UpdateEvent): void {
    this.seriesWrites.push(write);
    this.rewrittenSeries.add(write.key);
  }

  private planException(key: string, event: GoogleEvent): void {
    const seriesKey = event.recurringEventId ? this.seriesKeyById.get(event.recurringEventId) : undefined;
    if (!seriesKey || !event.originalStartTime) {
      this.skipped.push({ key, reason: 'exception whose series is not in the feed' });
      return;
    }
    this.placedExceptions.add(key);
    if (this.waitingSeries.has(seriesKey)) return;
    // A row of another kind under this key (written before each kind had its own key) is not this one's.
    const row = legacyRow(this.rowByKey.get(key), true);
    if (this.waits(key, row, event.extendedProperties.private.icsHash)) return;
    const changed = !row || row.hash !== event.extendedProperties.private.icsHash || this.diverged.has(key);
    if (!changed && !this.rewrittenSeries.has(seriesKey)) {
      this.unchanged++;
      return;
    }
    // Under a series that now has another Google id, the row's instance id is the old series' one.
    const googleId = this.replacedSeries.has(seriesKey) ? undefined : knownInstanceId(row);
    this.instanceWrites.push({
      kind: 'write_exception',
      key,
      seriesKey,
      seriesGoogleId: this.seriesIds.get(seriesKey) ?? (event.recurringEventId as string),
      event,
      isNew: !row || isPending(row),
      ...(googleId ? { googleId } : {}),
    });
  }

  /** A row of a series or single event: kept, forgotten, or its event deleted. */
  private planSeriesRow(row: EventMapRow): void {
    this.eventsInCalendar++;
    // A renamed UID's row moves with its Google event to the new key (applyPlan removes it then).
    if (
      this.seriesByKey.has(row.eventKey) ||
      this.isUnreadable(row) ||
      this.renames.movedRows.has(row.eventKey)
    )
      return;
    // Its Google event is another key's now (a key scheme change, or a run that stopped while moving a renamed
    // UID's event left both rows), or it is over and merely left the horizon.
    if (this.keyByLiveId.has(row.googleId) || this.isOver(row))
      this.forgets.push({ kind: 'forget', key: row.eventKey });
    else if (!this.waits(row.eventKey, row, DELETION_HASH))
      this.deletions.push({ kind: 'delete', key: row.eventKey, googleId: row.googleId });
  }

  /** A row of an instance the feed no longer changes: forgotten with its series, or the series' content back. */
  private planInstanceRow(row: EventMapRow, seriesKey: string): void {
    if (
      this.placedExceptions.has(row.eventKey) ||
      this.isUnreadable(row) ||
      this.waitingSeries.has(seriesKey)
    )
      return;
    const series = this.seriesByKey.get(seriesKey);
    const originalStart = series && originalStartOf(row, series);
    if (!series || !originalStart) {
      this.forgets.push({ kind: 'forget', key: row.eventKey, seriesKey });
      return;
    }
    const hash = revertedHash(series);
    if (row.hash === hash && !this.rewrittenSeries.has(seriesKey) && !this.diverged.has(row.eventKey)) return;
    if (this.waits(row.eventKey, row, hash)) return;
    const googleId = this.replacedSeries.has(seriesKey) ? undefined : knownInstanceId(row);
    this.instanceWrites.push({
      kind: 'revert_instance',
      key: row.eventKey,
      ...(googleId ? { googleId } : {}),
      seriesKey,
      seriesGoogleId: this.seriesIds.get(seriesKey) ?? (series.id as string),
      event: plainInstanceOf(series, originalStart, recurrenceIdOfKey(row.eventKey)),
      hash,
    });
  }

  /** Instances the user changed in Google that no row knows (an audit found them): the series' content back. */
  private revertDivergedInstances(): void {
    for (const key of this.diverged) {
      const seriesKey = withoutRecurrenceId(key);
      if (this.rowByKey.has(key) || this.exceptionsByKey.has(key) || seriesKey === undefined) continue;
      const series = this.seriesByKey.get(seriesKey);
      const recurrenceId = recurrenceIdOfKey(key);
      const originalStart = series && startFromBasic(recurrenceId, series.start);
      const asRow = { eventKey: key, googleId: '', hash: '', updatedAt: '', seriesKey };
      if (!series || !originalStart || this.isUnreadable(asRow)) continue;
      this.instanceWrites.push({
        kind: 'revert_instance',
        key,
        seriesKey,
        seriesGoogleId: this.seriesIds.get(seriesKey) ?? (series.id as string),
        event: plainInstanceOf(series, originalStart, recurrenceId),
        hash: revertedHash(series),
      });
    }
  }

  private strays(): RemoveStray[] {
    // Never an id the plan writes or a row names: those are the service's events, not lost copies.
    const namedIds = new Set([...this.seriesKeyById.keys(), ...this.keyByLiveId.keys(), ...this.rowIds]);
    return (this.options.strays ?? [])
      .filter((stray) => !namedIds.has(stray.googleId))
      .map((stray) => ({
        kind: 'remove_stray',
        // Never a row's key: a refusal of this deletion must not be kept on the row of the event it copies.
        key: `${stray.key ?? 'event'} (copy ${stray.googleId})`,
        googleId: stray.googleId,
      }));
  }

  /** A series not rewritten whose exceptions change may end later or earlier than its row says. */
  private rowRefreshes(): EventMapRow[] {
    const rowRefreshes: EventMapRow[] = [];
    const touchedSeries = new Set(this.instanceWrites.map((op) => op.seriesKey));
    for (const key of touchedSeries) {
      const row = this.rowByKey.get(key);
      const event = this.seriesByKey.get(key);
      if (!row || !event || this.rewrittenSeries.has(key)) continue;
      const { endsAt } = this.endsAtOf(event);
      if (endsAt === row.endsAt) continue;
      const { endsAt: _old, ...rest } = row;
      rowRefreshes.push(endsAt === undefined ? rest : { ...rest, endsAt });
    }
    return rowRefreshes;
  }
}

/** How the feed's renamed UIDs are written (see pairRenames). */
interface Renames {
  /** New key -> the row (of a key that left the feed) whose Google event it is moved onto. */
  moves: Map<string, EventMapRow>;
  /** Keys of the rows moved. */
  movedRows: Set<string>;
  /** New key -> the old key whose deletion its insert waits for. */
  heldBehind: Map<string, string>;
}

/**
 * UID renames. Some generators mint a new UID on every download: the feed then shows the same events under new
 * keys while the old keys leave it, and inserting the new ones while the mass-delete breaker holds the old ones'
 * deletions would pile up copies. So a key without a row is paired, one to one in feed order, with a row of a
 * series or single event whose key left the feed (and that is not kept for another reason) and whose signature
 * (start, end and summary: eventSignature) is the new event's:
 * - a single event, or a series whose row has no exception rows, is moved: its Google event is updated with
 *   the new content and its row goes to the new key, keeping its Google id (`ownGoogleId`);
 * - otherwise (the old series has exception rows, whose instances would have to move too, or its deletion waits
 *   for a refusal's back-off) the insert waits for the old key's deletion in the same run (`afterDeletionOf`):
 *   it is held with that deletion while the breaker holds it.
 * Either way Google never holds two live copies of a renamed event. A row sharing a UID with the new key (a flip
 * between an override's kinds, a series split at another occurrence) is no rename, and rows written before signatures were kept pair with nothing.
 */
function pairRenames(
  seriesByKey: ReadonlyMap<string, GoogleEvent>,
  rows: readonly EventMapRow[],
  rowByKey: ReadonlyMap<string, EventMapRow>,
  rules: { isKept(row: EventMapRow): boolean; deletionWaits(row: EventMapRow): boolean },
): Renames {
  const renames: Renames = { moves: new Map(), movedRows: new Set(), heldBehind: new Map() };
  const leaving = new Map<string, EventMapRow[]>();
  for (const row of rows) {
    if (row.seriesKey !== undefined || !row.signature || !row.googleId) continue;
    if (seriesByKey.has(row.eventKey) || rules.isKept(row)) continue;
    const list = leaving.get(row.signature) ?? [];
    list.push(row);
    leaving.set(row.signature, list);
  }
  if (leaving.size === 0) return renames;
  const withExceptionRows = new Set(
    rows.flatMap((row) => (row.seriesKey === undefined ? [] : [row.seriesKey])),
  );
  for (const [key, event] of seriesByKey) {
    if (!event.id || rowByKey.has(key)) continue;
    // A key sharing a UID with the row's (another kind of the same component, a series split at another
    // occurrence: see eventKey) is no rename: it stays a deletion and a write.
    const uids = new Set(sourceUids({ eventKey: key, googleId: '', hash: '', updatedAt: '' }));
    const candidates = leaving.get(eventSignature(event));
    const at = candidates?.findIndex((row) => !sourceUids(row).some((uid) => uids.has(uid)));
    const from = at === undefined || at < 0 ? undefined : candidates?.splice(at, 1)[0];
    if (!from) continue;
    if (withExceptionRows.has(from.eventKey) || rules.deletionWaits(from)) {
      renames.heldBehind.set(key, from.eventKey);
    } else {
      renames.moves.set(key, from);
      renames.movedRows.add(from.eventKey);
    }
  }
  return renames;
}

/** The first fresh id of `baseId` no row names. */
function freeFreshId(baseId: string, rowIds: ReadonlySet<string>): string {
  for (let generation = 1; ; generation++) {
    const id = freshEventId(baseId, generation);
    if (!rowIds.has(id)) return id;
  }
}

/** The instance id a row holds; empty when Google had no such instance when the exception was written. */
const knownInstanceId = (row: EventMapRow | undefined): string | undefined => row?.googleId || undefined;

/** The hash of a reverted instance's row: tied to its series' hash, so a series change reverts it again. */
export const revertedHash = (series: GoogleEvent) => `reverted:${series.extendedProperties.private.icsHash}`;

/** An exception's key ends with `#<original start in basic format>` (see eventKey). */
function originalStartOf(row: EventMapRow, series: GoogleEvent): EventDateTime | undefined {
  return startFromBasic(recurrenceIdOfKey(row.eventKey), series.start);
}

/** The row under a key if it is of the wanted kind (exception or not), else none. */
function legacyRow(row: EventMapRow | undefined, exception: boolean): EventMapRow | undefined {
  return row && (row.seriesKey !== undefined) === exception ? row : undefined;
}

/** A RECURRENCE-ID in basic format, as the last part of exception, standalone and split keys. */
const BASIC_RID = /^\d{8}(?:T\d{6}Z)?$/;

/** `key` without its last `#<RECURRENCE-ID>`, or undefined when it does not end in one. */
function withoutRecurrenceId(key: string): string | undefined {
  const at = key.lastIndexOf('#');
  return at > 0 && BASIC_RID.test(key.slice(at + 1)) ? key.slice(0, at) : undefined;
}

/**
 * The UIDs of the feed component a row may come from, read off the key's structure (see eventKey): the row's
 * own ICS UID, and for a split series (UID `<UID>#<RECURRENCE-ID>`) and what hangs off it, the UID it was split
 * from. Only a UID that itself ends in `#<RECURRENCE-ID>` can be taken for a split one: such a row is then
 * spared, never deleted.
 */
function sourceUids(row: EventMapRow): string[] {
  let uid: string | undefined = row.eventKey;
  if (uid.endsWith(STANDALONE_KEY_SUFFIX))
    uid = withoutRecurrenceId(uid.slice(0, -STANDALONE_KEY_SUFFIX.length));
  else if (uid.endsWith(SPLIT_KEY_SUFFIX)) uid = uid.slice(0, -SPLIT_KEY_SUFFIX.length);
  else if (row.seriesKey !== undefined) uid = withoutRecurrenceId(uid);
  const uids: string[] = [];
  for (; uid !== undefined; uid = withoutRecurrenceId(uid)) uids.push(uid);
  return uids;
}

/** Whether a row belongs to a component the mapping could not read (matched on whole UIDs). */
function unreadableMatcher(uids: Iterable<string>): (row: EventMapRow) => boolean {
  const unreadable = new Set(uids);
  return (row) => unreadable.size > 0 && sourceUids(row).some((uid) => unreadable.has(uid));
}

/** Whether the series has an occurrence that starts at `originalStart`. */
function isOccurrence(series: GoogleEvent, originalStart: EventDateTime): boolean {
  // A series turned single event has no instances: every override it had must go.
  if (!series.id || !series.recurrence?.length) return false;
  const wanted = timeKey(originalStart);
  try {
    const at = instantOf(originalStart);
    const window = { timeMin: new Date(at - DAY_MS), timeMax: new Date(at + 2 * DAY_MS) };
    return expandSeries(series, [], window, { includeCancelled: true }).some(
      (o) => o.originalStartTime !== undefined && timeKey(o.originalStartTime) === wanted,
    );
  } catch {
    // A series the expansion cannot read: Google would not have it either; restoring does no harm.
    return true;
  }
}

/**
 * The instance of `series` at `originalStart` as Google shows it when nothing overrides it; cancelled when the
 * series has no occurrence there (any other content would show a ghost occurrence). With a `recurrenceId`, the
 * instance is marked as one the service once overrode.
 */
export function plainInstanceOf(
  series: GoogleEvent,
  originalStart: EventDateTime,
  recurrenceId?: string,
): GoogleEvent {
  const { recurrence: _recurrence, id, ...content } = series;
  const properties = { ...series.extendedProperties.private };
  if (recurrenceId !== undefined) properties.icsRecurrenceId = recurrenceId;
  return {
    ...content,
    status: isOccurrence(series, originalStart) ? (series.status ?? 'confirmed') : 'cancelled',
    start: originalStart,
    end: shiftBy(originalStart, seriesDuration(series)),
    ...(id !== undefined && { recurringEventId: id }),
    originalStartTime: originalStart,
    extendedProperties: { private: properties },
  };
}
