/**
 * RANGE=THISANDFUTURE: an override that changes an instance and every later one. Google has no such
 * exception, so the series is split, as Google itself does when "this and following events" are edited:
 * the original series ends before the override's instance, and a new series starts at the override with
 * its properties and the original rules (COUNT reduced by the instances already past). Later overrides and
 * EXDATE/RDATE values move with it, shifted by the override's move. The new series is keyed
 * `<UID>#<RECURRENCE-ID>` (its icsUid and the source of its id) and marked with `icsSplitFrom`, so its event
 * key never meets the key of an exception at that RECURRENCE-ID.
 */
import { ExpansionError, expandSeries } from '../expansion/index.ts';
import { DAY_MS } from '../time/civil.ts';
import { basicId, coerceLike, shiftWhen, type When } from '../time/when.ts';
import { WorkBudget } from '../work-budget.ts';
import type { Component, Property } from './content-lines.ts';
import { inSeriesZone, seriesRecurrence } from './recurrence.ts';
import type { SourceEvent } from './source-event.ts';
import { toEventDateTime, whenOfValue } from './when.ts';

const RULES = new Set(['RRULE', 'EXRULE']);
const DATES = new Set(['RDATE', 'EXDATE']);

function ruleParts(value: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim().toUpperCase(), part.slice(eq + 1).trim());
  }
  return parts;
}

const ruleText = (parts: Map<string, string>) => [...parts].map(([k, v]) => `${k}=${v}`).join(';');

/** A date property holding these values, written in UTC (or as dates), so any series zone reads them right. */
function datesProperty(name: string, values: When[]): Property {
  const allDay = values[0]?.allDay ?? false;
  return { name, params: allDay ? { VALUE: 'DATE' } : {}, value: values.map((v) => basicId(v)).join(',') };
}

/** Instances of the series' rules (no EXDATE, RDATE) that start before `before`: what COUNT has used up. */
function rulesInstancesBefore(master: SourceEvent, before: When, budget: WorkBudget): number {
  const rules = master.component.properties.filter((p) => p.name === 'RRULE');
  const duration = master.end.utcMs - master.start.utcMs;
  const recurrence = seriesRecurrence(
    { name: 'VEVENT', properties: rules, components: [] },
    master.start,
    duration,
    master.ctx,
  );
  if (recurrence.lines.length === 0) return 0;
  const series = {
    id: 'count',
    start: toEventDateTime(master.start),
    end: toEventDateTime(master.end),
    recurrence: recurrence.lines,
    extendedProperties: { private: { icsUid: master.uid, icsHash: '' } },
  };
  const window = {
    timeMin: new Date(master.start.utcMs - DAY_MS),
    timeMax: new Date(before.utcMs),
  };
  try {
    return expandSeries(series, [], window, { maxOccurrences: 1_000_000, budget }).length;
  } catch (error) {
    // Rules the expansion refuses: the mapping keeps only the series' first instance anyway (map-feed.ts).
    if (error instanceof ExpansionError) return 0;
    throw error;
  }
}

/** Splits `master` at `override`; returns the new series (the master is changed in place). */
function split(master: SourceEvent, override: SourceEvent, budget: WorkBudget): SourceEvent {
  const rid = coerceLike(override.recurrenceId as When, master.start);
  const deltaMs = override.start.utcMs - rid.utcMs;
  const used = rulesInstancesBefore(master, rid, budget);
  const headEnd = rid.allDay
    ? basicId({ allDay: true, utcMs: rid.utcMs - DAY_MS })
    : basicId({ ...rid, utcMs: rid.utcMs - 1000 });

  const head: Property[] = [];
  const tail: Property[] = override.component.properties.filter(
    (p) => !RULES.has(p.name) && !DATES.has(p.name),
  );
  for (const property of master.component.properties) {
    if (RULES.has(property.name)) {
      const parts = ruleParts(property.value);
      const count = Number(parts.get('COUNT'));
      const headParts = new Map(parts);
      headParts.delete('COUNT');
      headParts.set('UNTIL', headEnd);
      head.push({ ...property, value: ruleText(headParts) });
      if (Number.isFinite(count) && count > 0) {
        if (count <= used) continue;
        parts.set('COUNT', String(count - used));
      }
      tail.push({ ...property, value: ruleText(parts) });
    } else if (DATES.has(property.name)) {
      const values = property.value
        .split(',')
        .map((v) => whenOfValue(v.trim(), inSeriesZone(property, master.startTzid), master.ctx))
        .filter((v): v is When => v !== undefined)
        .map((v) => coerceLike(v, master.start));
      const before = values.filter((v) => v.utcMs < rid.utcMs);
      const after = values.filter((v) => v.utcMs >= rid.utcMs).map((v) => shiftWhen(v, deltaMs));
      if (before.length > 0) head.push(datesProperty(property.name, before));
      if (after.length > 0) tail.push(datesProperty(property.name, after));
    } else {
      head.push(property);
    }
  }
  master.component = { ...master.component, properties: head };
  const component: Component = { name: 'VEVENT', properties: tail, components: [] };
  // The new series is no override: it keeps everything of the override but its RECURRENCE-ID.
  const { recurrenceId: _splitPoint, ...rest } = override;
  return {
    ...rest,
    component,
    uid: `${master.uid}#${basicId(rid)}`,
    splitFrom: master.uid,
    thisAndFuture: false,
  };
}

const recurs = (source: SourceEvent) =>
  source.component.properties.some((p) => p.name === 'RRULE' || p.name === 'RDATE');

/**
 * Applies every THISANDFUTURE override in place: masters gain the split-off series, and the overrides that
 * fall into a split-off part move to it (re-keyed, their RECURRENCE-ID shifted like the part).
 */
export function splitThisAndFuture(
  masters: Map<string, SourceEvent>,
  exceptions: Map<string, SourceEvent>,
  budget: WorkBudget = new WorkBudget(),
): void {
  // Earliest first; each split may re-key later overrides, so the next one is looked up afresh.
  for (let guard = exceptions.size; guard > 0; guard--) {
    // Each round looks at every override: many THISANDFUTURE overrides cost their square.
    budget.spend(exceptions.size, 'splitting series at THISANDFUTURE overrides');
    let override: SourceEvent | undefined;
    for (const e of exceptions.values()) {
      const master = e.thisAndFuture ? masters.get(e.uid) : undefined;
      if (!master || !recurs(master)) continue;
      if (!override || (e.recurrenceId as When).utcMs < (override.recurrenceId as When).utcMs) override = e;
    }
    if (!override) return;
    const master = masters.get(override.uid) as SourceEvent;
    const splitAt = coerceLike(override.recurrenceId as When, master.start);
    const part = split(master, override, budget);
    masters.set(part.uid, part);
    const deltaMs = part.start.utcMs - splitAt.utcMs;
    for (const [key, exception] of exceptions) {
      if (exception === override) {
        exceptions.delete(key);
        continue;
      }
      if (exception.uid !== override.uid || !exception.recurrenceId) continue;
      const rid = coerceLike(exception.recurrenceId, master.start);
      if (rid.utcMs < splitAt.utcMs) continue;
      exceptions.delete(key);
      const moved = shiftWhen(rid, deltaMs);
      exceptions.set(`${part.uid}\u0000${basicId(moved)}`, {
        ...exception,
        uid: part.uid,
        recurrenceId: moved,
      });
    }
  }
}
