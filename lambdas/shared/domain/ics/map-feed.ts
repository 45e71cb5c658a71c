/**
 * ICS text -> the Event resources a first sync writes into an empty dedicated calendar. Pure and
 * deterministic: the same text and options always give byte-identical output.
 *
 * Three steps: reading the feed into source events (./read-sources.ts), building Event resources from them
 * (./resources.ts), and assembling here: duplicates resolved, THISANDFUTURE splits made, exceptions joined to
 * their series or kept standalone, and what overlaps the horizon kept (the domain's one overlap rule,
 * ../time/window.ts).
 */
import { ExpansionError, hasOccurrenceIn } from '../expansion/index.ts';
import type { GoogleEvent } from '../google-event.ts';
import { instantOf } from '../time/event-time.ts';
import { basicId, coerceLike, type When } from '../time/when.ts';
import { overlapsWindow } from '../time/window.ts';
import { type FeedBudgetOptions, WorkBudget } from '../work-budget.ts';
import { type Component, first } from './content-lines.ts';
import { eventIdFor } from './event-ids.ts';
import type { Horizon } from './horizon.ts';
import { inMasterZone, type MappingWarning, readSources, Warnings } from './read-sources.ts';
import { seriesRecurrence } from './recurrence.ts';
import {
  baseResource,
  finish,
  type SeriesExceptions,
  type SeriesPlan,
  seriesExceptions,
  statusOf,
} from './resources.ts';
import type { SourceEvent } from './source-event.ts';
import { splitThisAndFuture } from './this-and-future.ts';
import { placeUnnamedZoneSeries } from './zone-series.ts';

export interface MappingOptions {
  /** Per-subscriber secret salt of event ids. */
  salt: string;
  /** Events are kept when they overlap [from, to); a recurring series is kept whole if any occurrence does. */
  horizon: Horizon;
  /** IANA zone for floating times when the calendar has no X-WR-TIMEZONE. */
  defaultTimeZone: string;
  /**
   * Caps and work budget (../work-budget.ts; DEFAULT_FEED_LIMITS when left out), and a clock for a time
   * limit. Past any of them mapFeed throws FeedTooCostly, naming the cause.
   */
  budget?: FeedBudgetOptions;
}

export interface MappedFeed {
  /** Series and single events first (feed order), then each series' exceptions (by original start). */
  events: GoogleEvent[];
  warnings: MappingWarning[];
  /**
   * UIDs of VEVENTs skipped because they could not be read (sorted, without duplicates). Their events are
   * absent from `events` for a read failure, not because the feed dropped them: a sync must not delete them.
   */
  skippedUids?: string[];
}

/** Highest SEQUENCE wins, then the later component. */
function newest(a: SourceEvent, b: SourceEvent): SourceEvent {
  if (a.sequence !== b.sequence) return a.sequence > b.sequence ? a : b;
  return a.order > b.order ? a : b;
}

/** Series and single events by UID: duplicates resolved (highest SEQUENCE, then the later one). */
function mastersOf(sources: SourceEvent[], warnings: Warnings): Map<string, SourceEvent> {
  const masters = new Map<string, SourceEvent>();
  for (const source of sources) {
    if (source.recurrenceId) continue;
    const existing = masters.get(source.uid);
    if (existing)
      warnings.add('duplicate UID: the highest SEQUENCE (then the later one) is kept', source.uid);
    masters.set(source.uid, existing ? newest(existing, source) : source);
  }
  return masters;
}

/**
 * Overrides by UID and RECURRENCE-ID, duplicates resolved likewise. Once the masters are known, a floating
 * RECURRENCE-ID is read in its master's zone, before duplicates meet.
 */
function exceptionsOf(sources: SourceEvent[], masters: Map<string, SourceEvent>): Map<string, SourceEvent> {
  const exceptions = new Map<string, SourceEvent>();
  for (const read of sources) {
    if (!read.recurrenceId) continue;
    const source = inMasterZone(read, masters.get(read.uid));
    const key = `${source.uid}\u0000${basicId(source.recurrenceId as When)}`;
    const existing = exceptions.get(key);
    exceptions.set(key, existing ? newest(existing, source) : source);
  }
  return exceptions;
}

/**
 * An override that carries an RRULE while the feed has no series of its UID is the series itself: one producer
 * writes a RECURRENCE-ID naming no instance (1970-01-01) on the only component of each recurring event. Kept
 * as a standalone event it would lose every instance but the first; node-ical and others ignore the stray
 * RECURRENCE-ID and expand the rule, and so does this, with a warning. Of several such overrides of one UID the
 * earliest becomes the series (a later THISANDFUTURE one then splits it, another joins it as an exception).
 * Not when the UID's series is in the feed but unreadable (joinExceptions leaves its overrides out).
 */
function seriesFromOrphanOverrides(
  masters: Map<string, SourceEvent>,
  exceptions: Map<string, SourceEvent>,
  warnings: Warnings,
): void {
  const chosen = new Map<string, [string, SourceEvent]>();
  for (const [key, exception] of exceptions) {
    const { uid } = exception;
    if (masters.has(uid) || warnings.skippedUids.has(uid) || !first(exception.component, 'RRULE')) continue;
    const current = chosen.get(uid)?.[1];
    if (!current || exception.start.utcMs < current.start.utcMs) chosen.set(uid, [key, exception]);
  }
  for (const [uid, [key, exception]] of chosen) {
    exceptions.delete(key);
    const { recurrenceId, floatingRecurrenceId: _stray, ...series } = exception;
    masters.set(uid, { ...series, thisAndFuture: false });
    warnings.add(
      `RECURRENCE-ID ${basicId(recurrenceId as When)} ignored: the feed has no series for this override, and its RRULE is kept as the series`,
      uid,
    );
  }
}

/** A built series or single event, in feed order, with its source; series carry the plan of their exceptions. */
interface Built {
  source: SourceEvent;
  event: GoogleEvent;
  plan?: SeriesPlan;
}

/** The resources of the series and single events (cancelled ones are not written). */
function buildMasters(
  masters: Map<string, SourceEvent>,
  salt: string,
  warnings: Warnings,
): { built: Built[]; plans: Map<string, SeriesPlan> } {
  const plans = new Map<string, SeriesPlan>();
  const built: Built[] = [];
  for (const source of [...masters.values()].sort((a, b) => a.order - b.order)) {
    if (statusOf(source.component) === 'cancelled') continue;
    const id = eventIdFor(salt, source.uid);
    const resource = baseResource(source, source.start, source.end);
    const durationMs = source.end.utcMs - source.start.utcMs;
    const recurrence = seriesRecurrence(
      source.component,
      source.start,
      durationMs,
      source.ctx,
      source.startTzid,
    );
    for (const problem of recurrence.problems) warnings.add(problem, source.uid);
    if (recurrence.lines.length === 0) {
      built.push({ source, event: finish({ id, ...resource }, source.uid, undefined, source.splitFrom) });
      continue;
    }
    const event = finish(
      { id, ...resource, recurrence: recurrence.lines },
      source.uid,
      undefined,
      source.splitFrom,
    );
    const plan: SeriesPlan = {
      source,
      event,
      periodInstances: recurrence.periodInstances,
      exdates: new Set(recurrence.exdates.map((v) => v.utcMs)),
      exceptions: [],
    };
    plans.set(source.uid, plan);
    built.push({ source, event, plan });
  }
  return { built, plans };
}

/**
 * Exceptions join their series; an exception without a (recurring) series stands alone. Returns those that
 * stand alone.
 */
function joinExceptions(
  exceptions: Map<string, SourceEvent>,
  masters: Map<string, SourceEvent>,
  plans: Map<string, SeriesPlan>,
  warnings: Warnings,
): SourceEvent[] {
  const orphans: SourceEvent[] = [];
  for (const exception of [...exceptions.values()].sort((a, b) => a.order - b.order)) {
    const plan = plans.get(exception.uid);
    if (plan) plan.exceptions.push(exception);
    else if (!masters.has(exception.uid) && warnings.skippedUids.has(exception.uid)) {
      // Its series is in the feed but unreadable: a standalone copy would duplicate the instance the
      // calendar already has. Left out like the series (skippedUids keeps both from being deleted).
      warnings.add(
        `exception ${basicId(exception.recurrenceId as When)} skipped with its unreadable series`,
        exception.uid,
      );
    } else if (!masters.has(exception.uid)) orphans.push(exception);
    else if (statusOf(masters.get(exception.uid)?.component as Component) !== 'cancelled') {
      // The master does not recur: the override replaces it if it is for its start, else it stands alone.
      orphans.push(exception);
    }
  }
  return orphans;
}

/** Whether a source event, at its own times, overlaps the horizon [from, to) (a date at its UTC midnight). */
const sourceInHorizon = (source: SourceEvent, from: number, to: number): boolean =>
  overlapsWindow(source.start.utcMs, source.end.utcMs, from, to);

/** Whether a built Event resource overlaps the horizon [from, to) (a date at its UTC midnight). */
const inHorizon = (event: Pick<GoogleEvent, 'start' | 'end'>, from: number, to: number): boolean =>
  overlapsWindow(instantOf(event.start), instantOf(event.end), from, to);

export function mapFeed(text: string, options: MappingOptions): MappedFeed {
  const budget = new WorkBudget(options.budget);
  const warnings = new Warnings();
  const sources = readSources(text, options, warnings, budget);
  const masters = mastersOf(sources, warnings);
  const exceptions = exceptionsOf(sources, masters);
  seriesFromOrphanOverrides(masters, exceptions, warnings);
  splitThisAndFuture(masters, exceptions, budget);
  placeUnnamedZoneSeries(masters, exceptions, { horizon: options.horizon, budget, warnings });
  const { built, plans } = buildMasters(masters, options.salt, warnings);
  const orphans = joinExceptions(exceptions, masters, plans, warnings);

  const from = options.horizon.from.getTime();
  const to = options.horizon.to.getTime();
  const window = { timeMin: options.horizon.from, timeMax: options.horizon.to };
  const events: GoogleEvent[] = [];
  const exceptionEvents: GoogleEvent[] = [];
  for (const item of built) {
    if (!item.plan) {
      if (sourceInHorizon(item.source, from, to)) events.push(item.event);
      continue;
    }
    let mapped: SeriesExceptions;
    let inWindow: boolean;
    try {
      mapped = seriesExceptions(item.plan, budget);
      inWindow =
        hasOccurrenceIn(item.event, window, budget) ||
        mapped.exceptions.some((e) => e.status !== 'cancelled' && inHorizon(e, from, to));
    } catch (error) {
      if (!(error instanceof ExpansionError)) throw error;
      // Google would refuse these recurrence lines too: keep the first instance rather than lose the event.
      const { source } = item.plan;
      warnings.add(`recurrence not usable (${error.message}): only the first instance is kept`, source.uid);
      const { recurrence: _dropped, extendedProperties: _old, ...single } = item.event;
      const event = finish(single, source.uid, undefined, source.splitFrom);
      if (sourceInHorizon(source, from, to)) events.push(event);
      continue;
    }
    for (const deleted of mapped.deleted) {
      warnings.add(
        `override ${basicId(deleted.recurrenceId as When)} left out: the series deletes that occurrence (EXDATE, higher SEQUENCE)`,
        deleted.uid,
      );
    }
    if (!inWindow) continue;
    events.push(item.event);
    exceptionEvents.push(...mapped.exceptions);
    for (const orphan of mapped.orphans) orphans.push(orphan);
  }

  for (const orphan of orphans.sort((a, b) => a.order - b.order)) {
    if (statusOf(orphan.component) === 'cancelled') continue;
    if (!sourceInHorizon(orphan, from, to)) continue;
    const standalone = standaloneEvent(orphan, masters.get(orphan.uid), plans, options.salt, warnings);
    if (!standalone.replaces) {
      events.push(standalone.event);
      continue;
    }
    // An override of a single event's only instance: it replaces that event.
    const index = events.findIndex(
      (e) => e.extendedProperties.private.icsUid === orphan.uid && !e.recurringEventId,
    );
    if (index >= 0) events[index] = standalone.event;
    else events.push(standalone.event);
  }
  return {
    events: [...events, ...exceptionEvents],
    warnings: warnings.list,
    skippedUids: [...warnings.skippedUids].sort(),
  };
}

/**
 * The event an override stands as when it names no instance of a series: the replacement of a single event
 * whose only instance it overrides, else an event of its own (keyed by UID and RECURRENCE-ID, with a warning).
 */
function standaloneEvent(
  orphan: SourceEvent,
  master: SourceEvent | undefined,
  plans: Map<string, SeriesPlan>,
  salt: string,
  warnings: Warnings,
): { event: GoogleEvent; replaces: boolean } {
  const rid = orphan.recurrenceId as When;
  if (master && !plans.has(orphan.uid) && basicId(coerceLike(rid, master.start)) === basicId(master.start)) {
    const event = finish(
      { id: eventIdFor(salt, orphan.uid), ...baseResource(orphan, orphan.start, orphan.end) },
      orphan.uid,
      undefined,
      master.splitFrom,
    );
    return { event, replaces: true };
  }
  warnings.add(
    `RECURRENCE-ID ${basicId(rid)} matches no instance of a series: kept as a standalone event`,
    orphan.uid,
  );
  const key = `${orphan.uid}\u0000${basicId(rid)}`;
  const event = finish(
    { id: eventIdFor(salt, key), ...baseResource(orphan, orphan.start, orphan.end) },
    orphan.uid,
    basicId(rid),
  );
  return { event, replaces: false };
}
