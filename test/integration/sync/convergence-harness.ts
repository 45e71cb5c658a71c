/**
 * Runs one history of the convergence property against the emulator and dynalite, then checks it: after the
 * history and one clean sync (plus the breaker's confirmation sync when deletions are held), the calendar as
 * Google lists it over the horizon equals what a first sync of the last feed version into an empty calendar
 * (a second subscriber with the same id salt, horizon and clock) lists; at most one live copy per key; no event
 * of ours without a map row (past events kept by design excepted); the user's decorations survive.
 */
import type { calendar_v3 } from '@googleapis/calendar';
import { GoogleCalendarGateway } from '../../../lambdas/shared/adapters/google/calendar-gateway.ts';
import {
  type EventDateTime,
  eventKey,
  type GoogleEvent,
} from '../../../lambdas/shared/domain/google-event.ts';
import { eventIdFor } from '../../../lambdas/shared/domain/ics/event-ids.ts';
import { defaultHorizon, type Horizon } from '../../../lambdas/shared/domain/ics/index.ts';
import type { SyncResult } from '../../../lambdas/shared/domain/sync-result.ts';
import type { CalendarGateway } from '../../../lambdas/shared/ports/calendar-gateway.ts';
import type {
  EventMapRow,
  EventMapStore,
  SyncLeaseStore,
  SyncState,
  SyncStateStore,
} from '../../../lambdas/shared/ports/sync-stores.ts';
import type { SyncDependencies, SyncSettings } from '../../../lambdas/sync/engine/sync-subscriber.ts';
import { ManualClock } from '../../support/clock.ts';
import { wrapMethods } from '../../support/stubs.ts';
import {
  type Decoration,
  describeFault,
  type Fault,
  FeedModel,
  type History,
  UIDS,
} from './convergence-model.ts';
import { icsFeed } from './ics.ts';
import { FEED_NOW, type Subscriber, type World } from './world.ts';

const DAY_MS = 86_400_000;
const UNPACED = { unitsPerWindow: 1_000_000, windowMs: 60_000, burst: 1_000 };
const TIMEOUT_MS = 150;
const TIMEOUT_DELAY_MS = 400;

class KilledError extends Error {
  override readonly name = 'KilledError';
}

/** A process killed after `afterCalls` Google calls: every later call rejects (not a Google answer). */
function killableGateway(
  inner: CalendarGateway,
  afterCalls: number,
  kill: { killed: boolean },
): CalendarGateway {
  let calls = 0;
  // The N-th call completes (Google made its write), then the process is gone: nothing after it happens.
  return wrapMethods(inner, (call) => async (...args) => {
    if (kill.killed || calls >= afterCalls) {
      kill.killed = true;
      throw new KilledError('killed');
    }
    calls++;
    try {
      return await call(...args);
    } finally {
      if (calls >= afterCalls) kill.killed = true;
    }
  });
}

/** After the kill nothing is written any more: no map batch, no state, the lease is not given back. */
function killableStores(
  map: EventMapStore,
  state: SyncStateStore & SyncLeaseStore,
  kill: { killed: boolean },
): { eventMap: EventMapStore; syncState: SyncStateStore; lease: SyncLeaseStore } {
  return {
    eventMap: {
      list: (id) => map.list(id),
      put: async (id, rows) => (kill.killed ? undefined : map.put(id, rows)),
      remove: async (id, keys) => (kill.killed ? undefined : map.remove(id, keys)),
      removeAll: (id) => map.removeAll(id),
    },
    syncState: {
      get: (id) => state.get(id),
      put: async (s: SyncState) => (kill.killed ? undefined : state.put(s)),
      remove: (id) => state.remove(id),
    },
    lease: {
      acquireLease: (...a) => state.acquireLease(...a),
      releaseLease: async (...a) => (kill.killed ? undefined : state.releaseLease(...a)),
    },
  };
}

/** The event map store failing (and writing nothing) from its `atWrite`-th write on. */
function dyingMap(map: EventMapStore, atWrite: number): EventMapStore {
  let writes = 0;
  const die = () => {
    if (++writes >= atWrite) throw new Error('event map store down');
  };
  return {
    list: (id) => map.list(id),
    put: async (id, rows: EventMapRow[]) => {
      die();
      await map.put(id, rows);
    },
    remove: async (id, keys) => {
      die();
      await map.remove(id, keys);
    },
    removeAll: (id) => map.removeAll(id),
  };
}

const instantOf = (value: EventDateTime | calendar_v3.Schema$EventDateTime | undefined | null): string => {
  const v = (value ?? {}) as calendar_v3.Schema$EventDateTime;
  if (v.date) return v.date;
  return v.dateTime ? new Date(Date.parse(v.dateTime)).toISOString() : '?';
};

/**
 * Google's listing as the user sees it: an instance by its original start, else a single event. Ids are left out:
 * an event the user deleted comes back under a fresh id, and one whose UID the feed renamed keeps the old UID's
 * id, where a first sync would use the new one; what the user sees is the same.
 */
export function listingLines(items: calendar_v3.Schema$Event[]): string[] {
  return items
    .map((item) => {
      const identity = item.recurringEventId ? `instance@${instantOf(item.originalStartTime)}` : 'event';
      const view = {
        start: instantOf(item.start),
        end: instantOf(item.end),
        summary: item.summary ?? '',
        description: item.description ?? '',
        location: item.location ?? '',
        status: item.status ?? 'confirmed',
        transparency: item.transparency ?? 'opaque',
        visibility: item.visibility ?? 'default',
      };
      return `${identity} ${JSON.stringify(view)}`;
    })
    .sort();
}

function multisetDiff(a: string[], b: string[]): { onlyA: string[]; onlyB: string[] } {
  const counts = new Map<string, number>();
  for (const line of a) counts.set(line, (counts.get(line) ?? 0) + 1);
  const onlyB: string[] = [];
  for (const line of b) {
    const n = counts.get(line) ?? 0;
    if (n > 0) counts.set(line, n - 1);
    else onlyB.push(line);
  }
  const onlyA = [...counts].flatMap(([line, n]) => Array.from({ length: n }, () => line));
  return { onlyA, onlyB };
}

/** What the user adds on top: kept by every sync. */
type Addition = 'colour' | 'reminders' | 'property';
const isAddition = (what: Decoration['what']): what is Addition =>
  what === 'colour' || what === 'reminders' || what === 'property';

const DECORATIONS: Record<Addition, Record<string, unknown>> = {
  colour: { colorId: '7' },
  reminders: { reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 13 }] } },
  property: { extendedProperties: { private: { userNote: 'mine' } } },
};

/** An hour later (a day for all-day events): how the user moves an event in the Calendar UI here. */
function movedLater(event: Record<string, unknown>): Record<string, unknown> {
  const shift = (value: unknown) => {
    const time = value as { date?: string; dateTime?: string; timeZone?: string };
    if (time.date) return { date: new Date(Date.parse(time.date) + DAY_MS).toISOString().slice(0, 10) };
    const moved = new Date(Date.parse(time.dateTime as string) + 3_600_000).toISOString();
    return { ...time, dateTime: moved };
  };
  return { start: shift(event.start), end: shift(event.end) };
}

function decorationHolds(event: Record<string, unknown>, what: Addition): boolean {
  if (what === 'colour') return event.colorId === '7';
  if (what === 'reminders')
    return JSON.stringify(event.reminders) === JSON.stringify(DECORATIONS.reminders.reminders);
  const props = (event.extendedProperties as { private?: Record<string, string> } | undefined)?.private;
  return props?.userNote === 'mine';
}

const isLive = (event: Record<string, unknown> | undefined) => !!event && event.status !== 'cancelled';

const summarise = (r: SyncResult) =>
  `${r.outcome} (+${r.created} ~${r.updated} -${r.deleted} held ${r.heldDeletions ?? 0}, ${r.googleCalls} calls)` +
  (r.errors.length ? ` errors: ${r.errors.slice(0, 3).join(' | ')}` : '') +
  (r.warnings?.length ? ` warnings: ${r.warnings.slice(0, 3).join(' | ')}` : '');

/** Runs the history; returns undefined when every check holds, else a readable account of what did not. */
export async function runHistory(world: World, history: History): Promise<string | undefined> {
  const sub = world.subscriber();
  const clock = new ManualClock();
  let now = FEED_NOW;
  let horizon: Horizon = defaultHorizon(now);
  const model = new FeedModel();
  const log: string[] = [];
  let text = '';
  const publish = () => {
    const next = icsFeed(model.render());
    if (next !== text) {
      text = next;
      sub.feed.set(text);
    }
  };
  const baseSettings = (): Partial<SyncSettings> => ({
    horizon: () => horizon,
    pacing: UNPACED,
    concurrency: 1,
  });
  const decorated = new Map<string, Set<Addition>>();
  const forgetDead = () => {
    const stored = new Map(sub.stored().map((e) => [e.id as string, e]));
    for (const id of [...decorated.keys()]) if (!isLive(stored.get(id))) decorated.delete(id);
  };

  const syncWith = async (fault: Fault, concurrency: number, audit = false): Promise<SyncResult> => {
    const settings: Partial<SyncSettings> = {
      ...baseSettings(),
      concurrency,
      ...(audit ? { auditNow: true } : {}),
    };
    const deps: Partial<SyncDependencies> = { clock };
    const { control } = world.google;
    const kill = { killed: false };
    switch (fault.t) {
      case '5xx':
        control.injectFault({
          method: fault.method,
          status: fault.status,
          count: fault.count,
          user: sub.email,
        });
        break;
      case 'lost':
        control.injectFault({
          method: fault.method,
          status: 503,
          afterEffect: true,
          count: fault.count,
          user: sub.email,
        });
        break;
      case 'timeout':
        control.injectFault({
          method: fault.method,
          delayMs: TIMEOUT_DELAY_MS,
          count: fault.count,
          user: sub.email,
        });
        deps.gateway = new GoogleCalendarGateway({
          rootUrl: world.google.endpoints.calendarRootUrl,
          accessToken: async () => sub.accessToken,
          timeoutMs: TIMEOUT_MS,
        });
        break;
      case 'budget':
        settings.timeBudgetMs = fault.ms;
        clock.tickMs = 1;
        break;
      case 'kill':
        deps.gateway = killableGateway(sub.gateway, fault.afterCalls, kill);
        Object.assign(deps, killableStores(sub.eventMap, sub.syncState, kill));
        break;
      case 'mapDies':
        deps.eventMap = dyingMap(sub.eventMap, fault.atWrite);
        break;
    }
    try {
      return await sub.sync(settings, deps);
    } finally {
      control.clearFaults();
      clock.tickMs = 0;
      // A call the client gave up on still lands in Google: let it land before anything else happens.
      if (fault.t === 'timeout') await world.google.settled();
      // A killed run keeps its lease: the next run comes once the lease (16 minutes) expired.
      if (kill.killed) clock.advance(17 * 60_000);
    }
  };

  log.push(`initial edits: ${history.initial.map((e) => model.apply(e)).join('; ')}`);
  publish();
  log.push(`initial: ${summarise(await syncWith({ t: 'none' }, 3))}`);

  for (const [i, step] of history.steps.entries()) {
    const did = step.edits.map((e) => model.apply(e));
    publish();
    if (step.moveDays) {
      now = new Date(now.getTime() + step.moveDays * DAY_MS);
      horizon = defaultHorizon(now);
      clock.advance(step.moveDays * DAY_MS);
    }
    if (step.decorate) {
      const present = UIDS.flatMap((_, u) => (model.uids[u] ? [model.uidOf(u)] : []));
      const uid = present[step.decorate.u % Math.max(1, present.length)];
      // The live series or single event of that UID, whatever its id (fresh, or kept from a renamed UID).
      const event = sub
        .stored()
        .find(
          (e) =>
            isLive(e) &&
            e.recurringEventId === undefined &&
            (e.extendedProperties as { private?: Record<string, string> } | undefined)?.private?.icsUid ===
              uid,
        );
      const { what } = step.decorate;
      if (uid && event) {
        const eventId = event.id as string;
        const { calendarId } = sub;
        const { control } = world.google;
        did.push(`user ${isAddition(what) ? `sets ${what} on` : `${what}s`} ${uid.slice(0, 2)}`);
        if (what === 'delete') control.userDeleteEvent({ calendarId, eventId });
        else if (what === 'move') control.userPatchEvent({ calendarId, eventId, patch: movedLater(event) });
        else if (what === 'retitle')
          control.userPatchEvent({ calendarId, eventId, patch: { summary: 'Changed in Google' } });
        else {
          control.userPatchEvent({ calendarId, eventId, patch: DECORATIONS[what] });
          decorated.set(eventId, new Set([...(decorated.get(eventId) ?? []), what]));
        }
      }
    }
    const result = await syncWith(step.fault, step.fault.t === 'none' ? 3 : 1);
    log.push(
      `step ${i + 1}: ${did.join('; ')}${step.moveDays ? ` | horizon +${step.moveDays}d` : ''} | sync ${describeFault(step.fault)}: ${summarise(result)}`,
    );
    forgetDead();
    if (process.env.CONVERGENCE_VERBOSE)
      log.push(`  rows: ${(await sub.eventMap.list(sub.id)).map((r) => r.eventKey).join(', ')}`);
  }

  // One clean sync with an audit (what the user changed in Google is set back, as "Sync now" does); deletions
  // the breaker holds are confirmed by a sync more than an hour later.
  let final = await syncWith({ t: 'none' }, 3, true);
  log.push(`final: ${summarise(final)}`);
  for (let n = 0; n < 3 && final.outcome === 'deletions_held'; n++) {
    clock.advance(61 * 60_000);
    final = await syncWith({ t: 'none' }, 3);
    log.push(`confirmation: ${summarise(final)}`);
  }
  forgetDead();

  const problems: string[] = [];
  if (final.outcome !== 'synced' && final.outcome !== 'unchanged')
    problems.push(`the clean sync ended ${final.outcome}`);

  // The reference: a first sync of the last version into an empty calendar, same salt, horizon and clock.
  const reference: Subscriber = world.subscriber();
  reference.eventIdSalt = sub.eventIdSalt;
  reference.feed.set(text);
  const first = await reference.sync(baseSettings(), { clock: new ManualClock(clock.now()) });
  log.push(`reference: ${summarise(first)}`);
  if (first.outcome !== 'synced' && first.outcome !== 'unchanged')
    problems.push(`the reference sync ended ${first.outcome}`);

  const google = listingLines(await sub.listInGoogle(horizon));
  const expected = listingLines(await reference.listInGoogle(horizon));
  const { onlyA, onlyB } = multisetDiff(google, expected);
  if (onlyA.length || onlyB.length) {
    problems.push(
      'Google differs from a first sync of the last version:',
      ...onlyA.map((l) => `  only in the synced calendar: ${l}`),
      ...onlyB.map((l) => `  only in the reference:       ${l}`),
    );
  }

  // At most one live copy per key among series and single events (instances are one per original start).
  const copies = new Map<string, string[]>();
  const rows = new Set((await sub.eventMap.list(sub.id)).map((r) => r.eventKey));
  for (const event of sub.stored()) {
    if (!isLive(event) || event.recurringEventId !== undefined) continue;
    const props =
      (event.extendedProperties as { private?: Record<string, string> } | undefined)?.private ?? {};
    if (!props.icsUid) continue;
    const key = eventKey(event as unknown as GoogleEvent);
    copies.set(key, [...(copies.get(key) ?? []), String(event.id).slice(0, 8)]);
    if (!rows.has(key)) {
      const past = event.recurrence
        ? !(await sub.hasOccurrenceAfter(event.id as string, horizon.from))
        : Date.parse(instantOf(event.end as EventDateTime)) <= horizon.from.getTime();
      if (!past)
        problems.push(
          `live event ${String(event.id).slice(0, 8)} (key ${key}, "${event.summary}") has no map row and is not over`,
        );
    }
  }
  for (const [key, ids] of copies)
    if (ids.length > 1) problems.push(`key ${key} has ${ids.length} live copies: ${ids.join(', ')}`);

  const stored = new Map(sub.stored().map((e) => [e.id as string, e]));
  for (const [id, whats] of decorated)
    for (const what of whats)
      if (!decorationHolds(stored.get(id) as Record<string, unknown>, what))
        problems.push(`the user's ${what} on ${id.slice(0, 8)} is gone`);

  if (process.env.CONVERGENCE_VERBOSE)
    process.stdout.write(`${log.join('\n')}\nlisted ${google.length} occurrences\n\n`);
  if (!problems.length) return undefined;
  const ids = UIDS.map((uid, u) => `u${u}=${eventIdFor(sub.eventIdSalt, uid).slice(0, 8)}`).join(' ');
  return [
    'History as applied (edits, then the sync and its result):',
    ...log,
    '',
    `Problems (ids ${ids}; horizon ${horizon.from.toISOString()} .. ${horizon.to.toISOString()}):`,
    ...problems,
    '',
    'Stored in the synced calendar (id, series, status, original start, start, end, summary, icsRecurrenceId):',
    ...sub.stored().map((e) => {
      const props = (e.extendedProperties as { private?: Record<string, string> } | undefined)?.private ?? {};
      return `  ${String(e.id).slice(0, 8)} ${e.recurringEventId ? `of ${String(e.recurringEventId).slice(0, 8)}` : e.recurrence ? `series ${JSON.stringify(e.recurrence)}` : 'single'} ${e.status} orig=${instantOf(e.originalStartTime as EventDateTime)} ${instantOf(e.start as EventDateTime)}..${instantOf(e.end as EventDateTime)} "${e.summary}" ${props.icsRecurrenceId ?? ''}`;
    }),
    `Map rows: ${[...rows].join(', ')}`,
    '',
    'Last feed version:',
    text.replaceAll('\r\n', '\n'),
  ].join('\n');
}
