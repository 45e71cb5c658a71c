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
import { ExpansionError } from './errors.ts';
import { type IcsValue, parseIcsValue } from './values.ts';

/** The frequencies Google Calendar accepts for events: DAILY and coarser (see README of the emulator). */
export type Frequency = 'YEARLY' | 'MONTHLY' | 'WEEKLY' | 'DAILY';

const FREQUENCIES: readonly Frequency[] = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY'];
/** Valid in RFC 5545 but refused by Google for events (its UI and API repeat at most daily). */
const SUB_DAILY_FREQUENCIES = new Set(['HOURLY', 'MINUTELY', 'SECONDLY']);
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
/**
 * The rule parts RFC 5545 defines, the ones read here. Any other part (RFC 7529's RSCALE and SKIP, X- parts) is
 * ignored when expanding, and Google refuses a rule that has one.
 */
export const RULE_PARTS: ReadonlySet<string> = new Set([
  'FREQ',
  'UNTIL',
  'COUNT',
  'INTERVAL',
  'BYSECOND',
  'BYMINUTE',
  'BYHOUR',
  'BYDAY',
  'BYMONTHDAY',
  'BYYEARDAY',
  'BYWEEKNO',
  'BYMONTH',
  'BYSETPOS',
  'WKST',
]);

/** A BYDAY entry: weekday 0 (MO) .. 6 (SU), ordinal 0 for "every", else the n-th (negative from the end). */
export interface WeekdayNum {
  weekday: number;
  ordinal: number;
}

/** An RRULE or EXRULE value (RFC 5545 3.3.10). */
export interface RecurrenceRule {
  freq: Frequency;
  interval: number;
  count?: number;
  until?: IcsValue;
  bySecond?: number[];
  byMinute?: number[];
  byHour?: number[];
  byDay?: WeekdayNum[];
  byMonthDay?: number[];
  byYearDay?: number[];
  byWeekNo?: number[];
  byMonth?: number[];
  bySetPos?: number[];
  /** Week start, 0 (MO) .. 6 (SU). */
  wkst: number;
}

function bad(rule: string, why: string): ExpansionError {
  return new ExpansionError('bad_recurrence', `Recurrence rule "${rule}": ${why}.`);
}

/**
 * RFC 5545 3.3.10 value ranges. `signed` lists count from the end with negative values and never hold 0
 * (BYMONTHDAY=0 is no day); the others are times of day, unsigned, from 0.
 */
const INTEGER_LISTS = {
  BYSECOND: { min: 0, max: 60, signed: false },
  BYMINUTE: { min: 0, max: 59, signed: false },
  BYHOUR: { min: 0, max: 23, signed: false },
  BYMONTHDAY: { min: 1, max: 31, signed: true },
  BYYEARDAY: { min: 1, max: 366, signed: true },
  BYWEEKNO: { min: 1, max: 53, signed: true },
  BYMONTH: { min: 1, max: 12, signed: false },
  BYSETPOS: { min: 1, max: 366, signed: true },
} as const;
type IntegerListName = keyof typeof INTEGER_LISTS;

const UNSIGNED_INTEGER = /^\d{1,3}$/;
const SIGNED_INTEGER = /^[+-]?\d{1,3}$/;

function parseIntegerList(rule: string, name: IntegerListName, text: string): number[] {
  const { min, max, signed } = INTEGER_LISTS[name];
  return text.split(',').map((item) => {
    const value = Number(item);
    const magnitude = Math.abs(value);
    if (
      !(signed ? SIGNED_INTEGER : UNSIGNED_INTEGER).test(item) ||
      magnitude < min ||
      magnitude > max ||
      (!signed && value < 0)
    ) {
      throw bad(rule, `${name} value "${item}" is out of range (${signed ? '±' : ''}${min}..${max})`);
    }
    return value;
  });
}

function parsePositiveInteger(rule: string, name: string, text: string): number {
  const value = Number(text);
  if (!/^\d{1,9}$/.test(text) || value < 1) throw bad(rule, `${name} must be a positive integer`);
  return value;
}

/** `1MO`, `-2FR`, `SU`: the ordinal is 1..53 either way (RFC 5545 "ordwk"), never 0. */
const BYDAY_ITEM = /^(?:([+-]?)(\d{1,2}))?(MO|TU|WE|TH|FR|SA|SU)$/;

function parseByDay(rule: string, text: string): WeekdayNum[] {
  return text.split(',').map((item) => {
    const match = BYDAY_ITEM.exec(item);
    const magnitude = Number(match?.[2] ?? 0);
    if (!match || (match[2] !== undefined && (magnitude < 1 || magnitude > 53))) {
      throw bad(rule, `BYDAY value "${item}" is not valid`);
    }
    return {
      weekday: WEEKDAYS.indexOf(match[3] as string),
      ordinal: match[1] === '-' ? -magnitude : magnitude,
    };
  });
}

const parsedRules = new Map<string, RecurrenceRule>();
const PARSED_RULES_KEPT = 2_000;

/**
 * Parses the value of an RRULE/EXRULE line (`FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20240101T000000Z`) and checks it
 * against RFC 5545 3.3.10 and Google's limits; throws ExpansionError('bad_recurrence') saying why. Parsed
 * rules are kept (read-only) for reuse: a sync asks about the same series several times.
 */
export function parseRule(text: string): RecurrenceRule {
  let rule = parsedRules.get(text);
  if (!rule) {
    rule = parseRuleText(text);
    if (parsedRules.size >= PARSED_RULES_KEPT) parsedRules.clear();
    parsedRules.set(text, rule);
  }
  return rule;
}

function parseRuleText(text: string): RecurrenceRule {
  const rule: Partial<RecurrenceRule> & { wkst: number } = { wkst: 0, interval: 1 };
  const seen = new Set<string>();
  for (const part of text.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw bad(text, `"${part}" is not NAME=VALUE`);
    const name = part.slice(0, eq).toUpperCase();
    const value = part.slice(eq + 1).toUpperCase();
    if (seen.has(name)) throw bad(text, `${name} is given twice`);
    seen.add(name);
    switch (name) {
      case 'FREQ':
        if (SUB_DAILY_FREQUENCIES.has(value)) {
          throw bad(text, `FREQ=${value} is not supported (Google Calendar repeats events at most daily)`);
        }
        if (!FREQUENCIES.includes(value as Frequency)) throw bad(text, `unknown FREQ "${value}"`);
        rule.freq = value as Frequency;
        break;
      case 'INTERVAL':
        rule.interval = parsePositiveInteger(text, name, value);
        break;
      case 'COUNT':
        rule.count = parsePositiveInteger(text, name, value);
        break;
      case 'UNTIL':
        rule.until = parseIcsValue(value);
        break;
      case 'BYSECOND':
        // A leap second (60) is read as the last second of its minute.
        rule.bySecond = parseIntegerList(text, name, value).map((s) => Math.min(s, 59));
        break;
      case 'BYMINUTE':
        rule.byMinute = parseIntegerList(text, name, value);
        break;
      case 'BYHOUR':
        rule.byHour = parseIntegerList(text, name, value);
        break;
      case 'BYMONTHDAY':
        rule.byMonthDay = parseIntegerList(text, name, value);
        break;
      case 'BYYEARDAY':
        rule.byYearDay = parseIntegerList(text, name, value);
        break;
      case 'BYWEEKNO':
        rule.byWeekNo = parseIntegerList(text, name, value);
        break;
      case 'BYMONTH':
        rule.byMonth = parseIntegerList(text, name, value);
        break;
      case 'BYSETPOS':
        rule.bySetPos = parseIntegerList(text, name, value);
        break;
      case 'BYDAY':
        rule.byDay = parseByDay(text, value);
        break;
      case 'WKST': {
        const wkst = WEEKDAYS.indexOf(value);
        if (wkst < 0) throw bad(text, `unknown WKST "${value}"`);
        rule.wkst = wkst;
        break;
      }
      default:
        // RSCALE, SKIP and X- parts are not used by Google calendars; ignoring them keeps the rest usable.
        break;
    }
  }
  if (!rule.freq) throw bad(text, 'FREQ is missing');
  checkCombination(text, rule as RecurrenceRule);
  return rule as RecurrenceRule;
}

/** The rule-part combinations RFC 5545 3.3.10 forbids ("MUST NOT"), each refused with its reason. */
function checkCombination(text: string, rule: RecurrenceRule): void {
  const { freq } = rule;
  if (rule.count !== undefined && rule.until !== undefined)
    throw bad(text, 'COUNT and UNTIL cannot both be given');
  if (rule.byWeekNo && freq !== 'YEARLY') throw bad(text, 'BYWEEKNO is only valid with FREQ=YEARLY');
  if (rule.byYearDay && freq !== 'YEARLY') throw bad(text, `BYYEARDAY is not valid with FREQ=${freq}`);
  if (rule.byMonthDay && freq === 'WEEKLY') throw bad(text, 'BYMONTHDAY is not valid with FREQ=WEEKLY');
  if (rule.byDay?.some((day) => day.ordinal !== 0)) {
    if (freq !== 'MONTHLY' && freq !== 'YEARLY') {
      throw bad(
        text,
        `a numbered BYDAY (such as 1MO) is only valid with FREQ=MONTHLY or YEARLY, not ${freq}`,
      );
    }
    if (rule.byWeekNo) throw bad(text, 'a numbered BYDAY (such as 1MO) is not valid with BYWEEKNO');
  }
  const hasOtherByPart = Boolean(
    rule.bySecond ||
      rule.byMinute ||
      rule.byHour ||
      rule.byDay ||
      rule.byMonthDay ||
      rule.byYearDay ||
      rule.byWeekNo ||
      rule.byMonth,
  );
  if (rule.bySetPos && !hasOtherByPart) throw bad(text, 'BYSETPOS needs another BYxxx rule part');
}

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
export const MAX_RULE_PERIODS = 1_000_000;

export interface RuleWalk {
  /** DTSTART as wall-clock milliseconds in the series' zone. */
  dtstartWall: number;
  /** Only wall times strictly after this are reported. */
  afterWall: number;
  /** Skip whole periods before this wall time (ignored for COUNT rules, whose count starts at DTSTART). */
  fromWall?: number;
  /** Stop once a period starts after this wall time. */
  stopWall: number;
}

/**
 * Reports, in ascending order, the wall-clock times the rule generates (RFC 5545 3.3.10), until `visit`
 * returns false, a period starts after stopWall, or MAX_RULE_PERIODS periods were looked at. COUNT and UNTIL
 * are left to the caller, which knows the zone (UNTIL is an instant) and which instances count.
 */
export function walkRule(rule: RecurrenceRule, walk: RuleWalk, visit: (wallMs: number) => boolean): void {
  const plan = makePlan(rule, walk.dtstartWall);
  const fromWall = rule.count === undefined && walk.fromWall !== undefined ? walk.fromWall : walk.dtstartWall;
  const days: number[] = [];
  const emitPeriod = emitPeriodOf.bind(undefined, days, rule.bySetPos, walk.afterWall, visit);

  const start = civilFromDays(Math.floor(walk.dtstartWall / DAY_MS));
  const interval = rule.interval;
  switch (rule.freq) {
    case 'YEARLY': {
      const fromYear = civilFromDays(Math.floor(fromWall / DAY_MS)).year;
      const first = Math.max(0, Math.floor((fromYear - start.year) / interval));
      for (let k = first; k < first + MAX_RULE_PERIODS; k++) {
        const year = start.year + k * interval;
        const yearStart = daysFromCivil(year, 1, 1);
        if (yearStart * DAY_MS > walk.stopWall) return;
        days.length = 0;
        for (let month = 1; month <= 12; month++) {
          if (plan.monthMask && !plan.monthMask[month]) continue;
          const monthStart = daysFromCivil(year, month, 1);
          const length = daysInMonth(year, month);
          for (let day = 1; day <= length; day++) {
            const dayNumber = monthStart + day - 1;
            if (dayMatches(plan, dayNumber, year, month, day)) days.push(dayNumber * DAY_MS);
          }
        }
        if (!emitPeriod(plan.offsets)) return;
      }
      return;
    }
    case 'MONTHLY': {
      const from = civilFromDays(Math.floor(fromWall / DAY_MS));
      const startIndex = start.year * 12 + start.month - 1;
      const first = Math.max(0, Math.floor((from.year * 12 + from.month - 1 - startIndex) / interval));
      for (let k = first; k < first + MAX_RULE_PERIODS; k++) {
        const index = startIndex + k * interval;
        const year = Math.floor(index / 12);
        const month = index - year * 12 + 1;
        const monthStart = daysFromCivil(year, month, 1);
        if (monthStart * DAY_MS > walk.stopWall) return;
        days.length = 0;
        if (!plan.monthMask || plan.monthMask[month]) {
          const length = daysInMonth(year, month);
          for (let day = 1; day <= length; day++) {
            const dayNumber = monthStart + day - 1;
            if (dayMatches(plan, dayNumber, year, month, day)) days.push(dayNumber * DAY_MS);
          }
        }
        if (!emitPeriod(plan.offsets)) return;
      }
      return;
    }
    case 'WEEKLY':
    case 'DAILY': {
      const startDay = Math.floor(walk.dtstartWall / DAY_MS);
      const periodDays = rule.freq === 'WEEKLY' ? 7 : 1;
      const firstDay =
        rule.freq === 'WEEKLY' ? startDay - ((weekdayOf(startDay) - rule.wkst + 7) % 7) : startDay;
      const step = periodDays * interval;
      const first = Math.max(0, Math.floor((Math.floor(fromWall / DAY_MS) - firstDay) / step));
      for (let k = first; k < first + MAX_RULE_PERIODS; k++) {
        const periodStart = firstDay + k * step;
        if (periodStart * DAY_MS > walk.stopWall) return;
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
        if (!emitPeriod(plan.offsets)) return;
      }
      return;
    }
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
