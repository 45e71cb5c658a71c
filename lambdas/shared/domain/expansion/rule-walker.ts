/**
 * The wall-clock times a parsed rule (./rule-parser.ts) generates, in order, on plain numbers: the rule is bound
 * to its DTSTART once as lookup tables, then walked period by period, skipping whole periods before the window.
 */
import {
  civilFromDays,
  DAY_MS,
  daysFromCivil,
  daysInMonth,
  daysInYear,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
  weekdayOf,
} from '../time/civil.ts';
import { TimeInputError } from '../time/errors.ts';
import type { WorkBudget } from '../work-budget.ts';
import type { RecurrenceRule, WeekdayNum } from './rule-parser.ts';

/** The rule bound to its DTSTART: lookup tables so that testing a day costs a few array reads. */
interface Plan {
  rule: RecurrenceRule;
  monthMask?: boolean[];
  monthDays?: number[];
  yearDays?: number[];
  weekNos?: number[];
  weekdayMask?: boolean[];
  ordinalDays?: WeekdayNum[];
  /** Ordinals count within the month (MONTHLY, or YEARLY with BYMONTH), else within the year. */
  ordinalsInMonth: boolean;
  needsCivil: boolean;
  /** Milliseconds within each matching day (the rule's times of day), ascending. */
  offsets: number[];
}

const ascending = (a: number, b: number): number => a - b;
const unique = (values: number[]): number[] => [...new Set(values)].sort(ascending);

function product(...lists: [number[], number][]): number[] {
  // The common case, one time of day: no intermediate arrays.
  if (lists.every(([values]) => values.length === 1)) {
    return [lists.reduce((sum, [values, unit]) => sum + (values[0] as number) * unit, 0)];
  }
  let result = [0];
  for (const [values, unit] of lists) {
    const next: number[] = [];
    for (const base of result) for (const value of values) next.push(base + value * unit);
    result = next;
  }
  return unique(result);
}

function makePlan(rule: RecurrenceRule, dtstartWall: number): Plan {
  const startDay = Math.floor(dtstartWall / DAY_MS);
  const { month: startMonth, day: startMonthDay } = civilFromDays(startDay);
  const msOfDay = dtstartWall - startDay * DAY_MS;
  const startHour = Math.floor(msOfDay / HOUR_MS);
  const startMinute = Math.floor((msOfDay % HOUR_MS) / MINUTE_MS);
  const startSecond = Math.floor((msOfDay % MINUTE_MS) / SECOND_MS);

  let { byMonth, byMonthDay, byDay } = rule;
  // RFC 5545 3.3.10: parts that are not given take their value from DTSTART.
  // BYWEEKNO without BYDAY keeps every day of its weeks (RFC 5545 leaves this open): Google's rfc2445 library
  // and python-dateutil do so; ical.net and rrule-temporal take DTSTART's weekday.
  if (!rule.byWeekNo && !rule.byYearDay && !byMonthDay && !byDay) {
    if (rule.freq === 'YEARLY') {
      byMonth ??= [startMonth];
      byMonthDay = [startMonthDay];
    } else if (rule.freq === 'MONTHLY') {
      byMonthDay = [startMonthDay];
    } else if (rule.freq === 'WEEKLY') {
      byDay = [{ weekday: weekdayOf(startDay), ordinal: 0 }];
    }
  }
  const plan: Plan = { rule, ordinalsInMonth: false, needsCivil: false, offsets: [] };
  if (byMonth) {
    plan.monthMask = new Array<boolean>(13).fill(false);
    for (const month of byMonth) plan.monthMask[month] = true;
  }
  if (byMonthDay) plan.monthDays = byMonthDay;
  if (rule.byYearDay) plan.yearDays = rule.byYearDay;
  if (rule.byWeekNo) plan.weekNos = rule.byWeekNo;
  if (byDay) {
    // Numbered days (parseRule allows them in MONTHLY and YEARLY rules only) are matched apart.
    const plain = byDay.filter((d) => d.ordinal === 0);
    const ordinal = byDay.filter((d) => d.ordinal !== 0);
    plan.weekdayMask = new Array<boolean>(7).fill(false);
    for (const d of plain) plan.weekdayMask[d.weekday] = true;
    if (ordinal.length > 0) plan.ordinalDays = ordinal;
    plan.ordinalsInMonth = rule.freq === 'MONTHLY' || (rule.freq === 'YEARLY' && byMonth !== undefined);
  }
  plan.needsCivil = Boolean(
    plan.monthMask || plan.monthDays || plan.yearDays || plan.weekNos || plan.ordinalDays,
  );

  const hours = rule.byHour ?? [startHour];
  const minutes = rule.byMinute ?? [startMinute];
  const seconds = rule.bySecond ?? [startSecond];
  plan.offsets = product([hours, HOUR_MS], [minutes, MINUTE_MS], [seconds, SECOND_MS]);
  return plan;
}

function weekNumberMatches(dayNumber: number, weekNos: number[], wkst: number): boolean {
  const weekStart = dayNumber - ((weekdayOf(dayNumber) - wkst + 7) % 7);
  // Week 1 is the first week with at least four days in the year, so a week belongs to the year of its 4th day.
  const weekYear = civilFromDays(weekStart + 3).year;
  const firstDay = daysFromCivil(weekYear, 1, 1);
  const weekNo = Math.floor((weekStart + 3 - firstDay) / 7) + 1;
  // The week holding 28 December is always the year's last.
  const dec28 = daysFromCivil(weekYear, 12, 28);
  const lastWeekStart = dec28 - ((weekdayOf(dec28) - wkst + 7) % 7);
  const weeksInYear = Math.floor((lastWeekStart + 3 - firstDay) / 7) + 1;
  return weekNos.includes(weekNo) || weekNos.includes(weekNo - weeksInYear - 1);
}

function inSignedList(list: number[], position: number, length: number): boolean {
  return list.includes(position) || list.includes(position - length - 1);
}

/** Whether a calendar day passes the rule's date parts (year, month, day given when plan.needsCivil). */
function dayMatches(plan: Plan, dayNumber: number, year: number, month: number, day: number): boolean {
  if (plan.monthMask && !plan.monthMask[month]) return false;
  if (plan.weekNos && !weekNumberMatches(dayNumber, plan.weekNos, plan.rule.wkst)) return false;
  if (plan.monthDays && !inSignedList(plan.monthDays, day, daysInMonth(year, month))) return false;
  const dayOfYear = plan.yearDays || plan.ordinalDays ? dayNumber - daysFromCivil(year, 1, 1) + 1 : 0;
  if (plan.yearDays && !inSignedList(plan.yearDays, dayOfYear, daysInYear(year))) return false;
  if (!plan.weekdayMask) return true;
  const weekday = weekdayOf(dayNumber);
  if (plan.weekdayMask[weekday]) return true;
  if (!plan.ordinalDays) return false;
  return plan.ordinalsInMonth
    ? ordinalMatches(plan.ordinalDays, weekday, day, daysInMonth(year, month))
    : ordinalMatches(plan.ordinalDays, weekday, dayOfYear, daysInYear(year));
}

/** BYDAY with ordinals (`2TU`, `-1FR`): `position` is the day within the month or year they count in. */
function ordinalMatches(
  ordinalDays: WeekdayNum[],
  weekday: number,
  position: number,
  length: number,
): boolean {
  const nth = Math.floor((position - 1) / 7) + 1;
  const nthFromEnd = -(Math.floor((length - position) / 7) + 1);
  return ordinalDays.some((d) => d.weekday === weekday && (d.ordinal === nth || d.ordinal === nthFromEnd));
}

/** Safety net against rules that would otherwise walk for a very long time (e.g. DAILY over millennia). */
const MAX_RULE_PERIODS = 1_000_000;

/**
 * Periods after which the Gregorian calendar repeats: 400 years are 146,097 days, a whole number of weeks
 * (20,871), so which days a rule picks in a period depends only on where the period falls in that cycle. A
 * rule that picked nothing in this many periods in a row never picks anything again (with an INTERVAL the
 * periods visit the cycle's places in a loop no longer than the cycle): the walk stops there, exactly.
 * Without it a rule no day satisfies (30 February) walked a million periods.
 */
const CALENDAR_CYCLE_PERIODS: Record<RecurrenceRule['freq'], number> = {
  YEARLY: 400,
  MONTHLY: 4_800,
  WEEKLY: 20_871,
  DAILY: 146_097,
};

/**
 * The earliest DTSTART a rule with COUNT is walked from. COUNT counts from DTSTART, so such a walk cannot skip
 * to the window: from year 1 it examined 740,000 days per rule before reaching today. No real feed counts
 * occurrences from before 1900 (rules without COUNT, birthdays from any year, skip to the window and are
 * unaffected); such a rule is refused like an unreadable one (the mapping keeps the first instance).
 */
const EARLIEST_COUNTED_START_WALL = Date.UTC(1900, 0, 1);

export interface RuleWalk {
  /** DTSTART as wall-clock milliseconds in the series' zone. */
  dtstartWall: number;
  /** Only wall times strictly after this are reported. */
  afterWall: number;
  /** Skip whole periods before this wall time (ignored for COUNT rules, whose count starts at DTSTART). */
  fromWall?: number;
  /** Stop once a period starts after this wall time. */
  stopWall: number;
  /** The feed's work budget: each period costs the days it examines. */
  budget?: WorkBudget;
}

/**
 * Reports, in ascending order, the wall-clock times the rule generates (RFC 5545 3.3.10), until `visit`
 * returns false, a period starts after stopWall, a whole calendar cycle of periods picked no day (none ever
 * will), or MAX_RULE_PERIODS periods were looked at. COUNT and UNTIL are left to the caller, which knows the
 * zone (UNTIL is an instant) and which instances count. Throws ExpansionError for a rule with COUNT that
 * starts before EARLIEST_COUNTED_START_WALL, and FeedTooCostly when the walk overspends `walk.budget`.
 */
export function walkRule(rule: RecurrenceRule, walk: RuleWalk, visit: (wallMs: number) => boolean): void {
  if (rule.count !== undefined && walk.dtstartWall < EARLIEST_COUNTED_START_WALL) {
    throw new TimeInputError(
      'bad_recurrence',
      'a recurrence rule with COUNT starting before 1900 is not expanded (its count would be walked from then)',
    );
  }
  const days: number[] = [];
  const emit = emitPeriodOf.bind(undefined, days, rule.bySetPos, walk.afterWall, visit);
  const { budget } = walk;
  const cycle = CALENDAR_CYCLE_PERIODS[rule.freq];
  let emptyPeriods = 0;
  const periods: PeriodWalk = {
    plan: makePlan(rule, walk.dtstartWall),
    rule,
    fromWall: rule.count === undefined && walk.fromWall !== undefined ? walk.fromWall : walk.dtstartWall,
    dtstartWall: walk.dtstartWall,
    stopWall: walk.stopWall,
    days,
    emitPeriod: (offsets, examined) => {
      budget?.spend(examined + days.length, 'expanding a recurrence rule');
      if (days.length === 0) {
        if (++emptyPeriods >= cycle) return false;
        return true;
      }
      emptyPeriods = 0;
      return emit(offsets);
    },
  };
  PERIOD_WALKERS[rule.freq](periods);
}

/** One walk, as its frequency's period loop sees it. */
interface PeriodWalk {
  plan: Plan;
  rule: RecurrenceRule;
  /** Whole periods before this wall time are skipped. */
  fromWall: number;
  dtstartWall: number;
  stopWall: number;
  /** The current period's matching days (day-start wall times): emptied, then filled, by the period loop. */
  days: number[];
  /** Reports the period's days (examined: the days looked at, for the budget): false when the walk is over. */
  emitPeriod(offsets: number[], examined: number): boolean;
}

/** The period loop of each frequency. */
const PERIOD_WALKERS: Record<RecurrenceRule['freq'], (periods: PeriodWalk) => void> = {
  YEARLY: walkYears,
  MONTHLY: walkMonths,
  WEEKLY: walkWeeksOrDays,
  DAILY: walkWeeksOrDays,
};

/** Adds the days of one month the plan picks to `days`; returns the days examined (the month's length). */
function collectMonthDays(plan: Plan, year: number, month: number, days: number[]): number {
  const monthStart = daysFromCivil(year, month, 1);
  const length = daysInMonth(year, month);
  for (let day = 1; day <= length; day++) {
    const dayNumber = monthStart + day - 1;
    if (dayMatches(plan, dayNumber, year, month, day)) days.push(dayNumber * DAY_MS);
  }
  return length;
}

function walkYears({ plan, rule, fromWall, dtstartWall, stopWall, days, emitPeriod }: PeriodWalk): void {
  const start = civilFromDays(Math.floor(dtstartWall / DAY_MS));
  const fromYear = civilFromDays(Math.floor(fromWall / DAY_MS)).year;
  const first = Math.max(0, Math.floor((fromYear - start.year) / rule.interval));
  for (let k = first; k < first + MAX_RULE_PERIODS; k++) {
    const year = start.year + k * rule.interval;
    const yearStart = daysFromCivil(year, 1, 1);
    if (yearStart * DAY_MS > stopWall) return;
    days.length = 0;
    let examined = 0;
    for (let month = 1; month <= 12; month++) {
      if (plan.monthMask && !plan.monthMask[month]) continue;
      examined += collectMonthDays(plan, year, month, days);
    }
    if (!emitPeriod(plan.offsets, examined)) return;
  }
}

function walkMonths({ plan, rule, fromWall, dtstartWall, stopWall, days, emitPeriod }: PeriodWalk): void {
  const start = civilFromDays(Math.floor(dtstartWall / DAY_MS));
  const from = civilFromDays(Math.floor(fromWall / DAY_MS));
  const startIndex = start.year * 12 + start.month - 1;
  const first = Math.max(0, Math.floor((from.year * 12 + from.month - 1 - startIndex) / rule.interval));
  for (let k = first; k < first + MAX_RULE_PERIODS; k++) {
    const index = startIndex + k * rule.interval;
    const year = Math.floor(index / 12);
    const month = index - year * 12 + 1;
    const monthStart = daysFromCivil(year, month, 1);
    if (monthStart * DAY_MS > stopWall) return;
    days.length = 0;
    // A month the rule's BYMONTH leaves out costs one day's look.
    const examined = !plan.monthMask || plan.monthMask[month] ? collectMonthDays(plan, year, month, days) : 1;
    if (!emitPeriod(plan.offsets, examined)) return;
  }
}

function walkWeeksOrDays({
  plan,
  rule,
  fromWall,
  dtstartWall,
  stopWall,
  days,
  emitPeriod,
}: PeriodWalk): void {
  const startDay = Math.floor(dtstartWall / DAY_MS);
  const periodDays = rule.freq === 'WEEKLY' ? 7 : 1;
  const firstDay = rule.freq === 'WEEKLY' ? startDay - ((weekdayOf(startDay) - rule.wkst + 7) % 7) : startDay;
  const step = periodDays * rule.interval;
  const first = Math.max(0, Math.floor((Math.floor(fromWall / DAY_MS) - firstDay) / step));
  for (let k = first; k < first + MAX_RULE_PERIODS; k++) {
    const periodStart = firstDay + k * step;
    if (periodStart * DAY_MS > stopWall) return;
    days.length = 0;
    for (let dayNumber = periodStart; dayNumber < periodStart + periodDays; dayNumber++) {
      if (plan.needsCivil) {
        const { year, month, day } = civilFromDays(dayNumber);
        if (!dayMatches(plan, dayNumber, year, month, day)) continue;
      } else if (plan.weekdayMask && !plan.weekdayMask[weekdayOf(dayNumber)]) {
        continue;
      }
      days.push(dayNumber * DAY_MS);
    }
    if (!emitPeriod(plan.offsets, periodDays)) return;
  }
}

/**
 * Reports one period's instances: `days` holds its matching days (as day-start wall times),
 * `offsets` the times within each; BYSETPOS picks among their product.
 */
function emitPeriodOf(
  days: number[],
  setPos: number[] | undefined,
  afterWall: number,
  visit: (wallMs: number) => boolean,
  offsets: number[],
): boolean {
  const perDay = offsets.length;
  if (setPos) {
    const total = days.length * perDay;
    const picked = unique(
      setPos.map((p) => (p > 0 ? p - 1 : total + p)).filter((index) => index >= 0 && index < total),
    );
    for (const index of picked) {
      const wall = (days[Math.floor(index / perDay)] as number) + (offsets[index % perDay] as number);
      if (wall > afterWall && !visit(wall)) return false;
    }
    return true;
  }
  for (const dayWall of days) {
    for (const offset of offsets) {
      const wall = dayWall + offset;
      if (wall > afterWall && !visit(wall)) return false;
    }
  }
  return true;
}
