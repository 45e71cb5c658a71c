/**
 * RRULE/EXRULE values (RFC 5545 3.3.10) read and checked as Google checks them: the rule parts, their ranges,
 * the combinations RFC 5545 forbids and the frequencies Google takes. The walk over the instances a rule
 * generates is ./rule-walker.ts.
 */
import { TimeInputError } from '../time/errors.ts';
import { type IcsTime, parseBasicIcsTime } from '../time/ics-values.ts';

/** The frequencies Google Calendar accepts for events: DAILY and coarser (see README of the emulator). */
type Frequency = 'YEARLY' | 'MONTHLY' | 'WEEKLY' | 'DAILY';

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
  until?: IcsTime;
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

function bad(rule: string, why: string): TimeInputError {
  return new TimeInputError('bad_recurrence', `Recurrence rule "${rule}": ${why}.`);
}

/** A DATE or DATE-TIME in basic form, as recurrence lines hold them (UNTIL, RDATE, EXDATE). */
export function parseRecurrenceValue(text: string): IcsTime {
  const time = parseBasicIcsTime(text);
  if (!time)
    throw new TimeInputError('bad_date_time', `"${text}" is neither an iCalendar DATE nor DATE-TIME.`);
  return time;
}

type IntegerListField =
  | 'bySecond'
  | 'byMinute'
  | 'byHour'
  | 'byMonthDay'
  | 'byYearDay'
  | 'byWeekNo'
  | 'byMonth'
  | 'bySetPos';

interface IntegerList {
  /** Where the rule keeps the values. */
  field: IntegerListField;
  min: number;
  max: number;
  /** Counts from the end with negative values too (and never holds 0: BYMONTHDAY=0 is no day). */
  signed: boolean;
  /** Values above this are read as it. */
  atMost?: number;
}

/**
 * The rule parts that are lists of integers, with RFC 5545 3.3.10's value ranges: the signed ones count from
 * the end with negative values; the others are times of day or months, unsigned. A leap second (BYSECOND=60) is
 * read as the last second of its minute.
 */
const INTEGER_LISTS: Readonly<Record<string, IntegerList>> = {
  BYSECOND: { field: 'bySecond', min: 0, max: 60, signed: false, atMost: 59 },
  BYMINUTE: { field: 'byMinute', min: 0, max: 59, signed: false },
  BYHOUR: { field: 'byHour', min: 0, max: 23, signed: false },
  BYMONTHDAY: { field: 'byMonthDay', min: 1, max: 31, signed: true },
  BYYEARDAY: { field: 'byYearDay', min: 1, max: 366, signed: true },
  BYWEEKNO: { field: 'byWeekNo', min: 1, max: 53, signed: true },
  BYMONTH: { field: 'byMonth', min: 1, max: 12, signed: false },
  BYSETPOS: { field: 'bySetPos', min: 1, max: 366, signed: true },
};

const UNSIGNED_INTEGER = /^\d{1,3}$/;
const SIGNED_INTEGER = /^[+-]?\d{1,3}$/;

function parseIntegerList(rule: string, name: string, list: IntegerList, text: string): number[] {
  const { min, max, signed, atMost = max } = list;
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
    return Math.min(value, atMost);
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
        rule.until = parseRecurrenceValue(value);
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
      default: {
        const list = Object.hasOwn(INTEGER_LISTS, name) ? INTEGER_LISTS[name] : undefined;
        if (list) rule[list.field] = parseIntegerList(text, name, list, value);
        // Any other part (RSCALE, SKIP, X-) is not used by Google calendars; ignoring it keeps the rest usable.
        break;
      }
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
  const hasOtherByPart =
    rule.byDay !== undefined ||
    Object.values(INTEGER_LISTS).some(({ field }) => field !== 'bySetPos' && rule[field] !== undefined);
  if (rule.bySetPos && !hasOtherByPart) throw bad(text, 'BYSETPOS needs another BYxxx rule part');
}
