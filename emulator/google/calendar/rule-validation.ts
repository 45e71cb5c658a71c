/**
 * Which `recurrence` lines Google refuses with 400 "Invalid recurrence rule.": the emulator's own reading of
 * RFC 5545, written from the RFC's text beside each rule, plus Google's refusals on top (each with its source).
 * It never asks the product's expansion module: the emulator is the oracle that module is tested against, so
 * a rule the product reads wrongly must not be read the same way here. Only the time model is shared
 * (iCalendar DATE and DATE-TIME values, zone names).
 */
import { type IcsTime, parseBasicIcsTime } from '../../../lambdas/shared/domain/time/ics-values.ts';
import { isEventZone } from './time.ts';

/** What the check needs to know about the series the lines belong to. */
export interface SeriesShape {
  /** start.date rather than start.dateTime. */
  allDay: boolean;
  /** `timeZones.acceptRecentNames`: TZIDs are judged as start.timeZone is (isEventZone). */
  acceptRecentZoneNames: boolean;
}

/** Why a line is refused; caught by recurrenceRefusal and returned as its message. */
class Refusal extends Error {}

const refuse: (why: string) => never = (why) => {
  throw new Refusal(why);
};

/**
 * Why Google refuses these recurrence lines, or undefined when it takes them. The reason is for tests and
 * logs only: Google answers every refusal with the same "Invalid recurrence rule.".
 */
export function recurrenceRefusal(lines: readonly unknown[], series: SeriesShape): string | undefined {
  try {
    for (const line of lines) checkLine(line, series);
    return undefined;
  } catch (error) {
    if (error instanceof Refusal) return error.message;
    throw error;
  }
}

function checkLine(line: unknown, series: SeriesShape): void {
  if (typeof line !== 'string') refuse('a recurrence line that is not text');
  const { name, params, value } = readContentLine(line as string);
  if (name === 'RRULE' || name === 'EXRULE') {
    // RFC 5545 3.8.5.3 lets other-param through; Google's form of the line has none, and the stricter answer
    // is the emulator's where Google documents nothing.
    if (params.length > 0) refuse(`${name} takes no parameters`);
    checkRule(value, series);
  } else if (name === 'RDATE' || name === 'EXDATE') {
    checkDateList(name, params, value, series);
  } else {
    // Events resource, `recurrence[]`: "List of RRULE, EXRULE, RDATE and EXDATE lines for a recurring event,
    // as specified in RFC5545. Note that DTSTART and DTEND lines are not allowed in this field".
    refuse(`"${name}" is not an RRULE, EXRULE, RDATE or EXDATE line`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Content lines (RFC 5545 3.1): name *(";" param) ":" value, where a param value may be a quoted-string that
// holds ":" and ";". Names and parameter names are case-insensitive (RFC 5545 section 2).

interface ContentLine {
  name: string;
  params: [name: string, value: string][];
  value: string;
}

/** Text up to the first `stop` character outside double quotes, and where it ended (-1: not found). */
function scanUnquoted(text: string, from: number, stops: string): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '"') quoted = !quoted;
    else if (!quoted && stops.includes(char)) return i;
  }
  return -1;
}

function readContentLine(line: string): ContentLine {
  const colon = scanUnquoted(line, 0, ':');
  if (colon < 0) return refuse('a line without ":" and value');
  const head = line.slice(0, colon);
  const firstSemicolon = scanUnquoted(head, 0, ';');
  const name = (firstSemicolon < 0 ? head : head.slice(0, firstSemicolon)).toUpperCase();
  const params: [string, string][] = [];
  let at = firstSemicolon;
  while (at >= 0) {
    const next = scanUnquoted(head, at + 1, ';');
    const param = head.slice(at + 1, next < 0 ? undefined : next);
    const eq = param.indexOf('=');
    if (eq <= 0) return refuse(`parameter "${param}" is not NAME=VALUE`);
    params.push([param.slice(0, eq).toUpperCase(), unquote(param.slice(eq + 1))]);
    at = next;
  }
  return { name, params, value: line.slice(colon + 1) };
}

/** param-value = paramtext / quoted-string (RFC 5545 3.1); the quotes are not part of the value. */
function unquote(text: string): string {
  if (!text.startsWith('"')) return text;
  if (text.length < 2 || !text.endsWith('"') || text.slice(1, -1).includes('"')) {
    return refuse(`parameter value ${text} is not a quoted-string`);
  }
  return text.slice(1, -1);
}

// ---------------------------------------------------------------------------------------------------------
// RRULE and EXRULE values: the recur value type, RFC 5545 3.3.10.

/** freq = "SECONDLY" / "MINUTELY" / "HOURLY" / "DAILY" / "WEEKLY" / "MONTHLY" / "YEARLY" (3.3.10). */
const RFC_FREQUENCIES = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
/**
 * Google repeats events at most daily: its UI offers nothing finer, integrators report the API refusing
 * HOURLY, and one report shows a 5xx for an imported HOURLY rule (README, modelled assumptions).
 */
const SUB_DAILY = new Set(['SECONDLY', 'MINUTELY', 'HOURLY']);

/** weekday = "SU" / "MO" / "TU" / "WE" / "TH" / "FR" / "SA" (3.3.10). */
const WEEKDAY = '(?:SU|MO|TU|WE|TH|FR|SA)';
const WEEKDAY_ONLY = new RegExp(`^${WEEKDAY}$`);
/** weekdaynum = [[plus / minus] ordwk] weekday; ordwk = 1*2DIGIT ;1 to 53 (3.3.10). */
const WEEKDAY_NUM = new RegExp(`^(?:[+-]?(\\d{1,2}))?${WEEKDAY}$`);

/**
 * The BYxxx lists of numbers, with 3.3.10's grammar: how many digits a value has, whether it may carry a
 * sign (the lists that count from the end), and its magnitude's range. 0 is in none of the signed ranges.
 */
interface NumberListGrammar {
  digits: 2 | 3;
  signed: boolean;
  least: number;
  most: number;
}
const NUMBER_LISTS: Readonly<Record<string, NumberListGrammar>> = {
  BYSECOND: { digits: 2, signed: false, least: 0, most: 60 }, // seconds = 1*2DIGIT ;0 to 60
  BYMINUTE: { digits: 2, signed: false, least: 0, most: 59 }, // minutes = 1*2DIGIT ;0 to 59
  BYHOUR: { digits: 2, signed: false, least: 0, most: 23 }, // hour = 1*2DIGIT ;0 to 23
  BYMONTHDAY: { digits: 2, signed: true, least: 1, most: 31 }, // ordmoday = 1*2DIGIT ;1 to 31
  BYYEARDAY: { digits: 3, signed: true, least: 1, most: 366 }, // ordyrday = 1*3DIGIT ;1 to 366
  BYWEEKNO: { digits: 2, signed: true, least: 1, most: 53 }, // ordwk = 1*2DIGIT ;1 to 53
  BYMONTH: { digits: 2, signed: false, least: 1, most: 12 }, // monthnum = 1*2DIGIT ;1 to 12
  BYSETPOS: { digits: 3, signed: true, least: 1, most: 366 }, // setposday = yeardaynum
};

/**
 * The rule parts of RFC 5545 3.3.10 (recur-rule-part). RFC 5545 has no X- parts, and Google takes none of
 * RFC 7529's (RSCALE, SKIP): a rule with any other part is refused.
 */
const RULE_PART_NAMES = new Set([
  'FREQ',
  'UNTIL',
  'COUNT',
  'INTERVAL',
  'BYDAY',
  'WKST',
  ...Object.keys(NUMBER_LISTS),
]);

function checkRule(text: string, series: SeriesShape): void {
  const parts = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) refuse(`rule part "${part}" is not NAME=VALUE`);
    // Rule part names and their enumerated values are case-insensitive (RFC 5545 section 2).
    const name = part.slice(0, eq).toUpperCase();
    if (!RULE_PART_NAMES.has(name)) refuse(`"${name}" is not a rule part of RFC 5545`);
    // 3.3.10: "They MUST NOT occur more than once."
    if (parts.has(name)) refuse(`${name} is given twice`);
    parts.set(name, part.slice(eq + 1).toUpperCase());
  }
  const freq = checkFrequency(parts.get('FREQ'));
  for (const [name, value] of parts) checkPartValue(name, value, series);
  checkCombinations(freq, parts);
}

function checkFrequency(freq: string | undefined): string {
  // 3.3.10: "The FREQ rule part is REQUIRED".
  if (freq === undefined) return refuse('FREQ is missing');
  if (!RFC_FREQUENCIES.has(freq)) return refuse(`FREQ=${freq} is not a frequency`);
  if (SUB_DAILY.has(freq)) return refuse(`FREQ=${freq}: Google repeats events at most daily`);
  return freq;
}

function checkPartValue(name: string, value: string, series: SeriesShape): void {
  if (name === 'UNTIL') {
    checkUntil(value, series);
  } else if (name === 'COUNT' || name === 'INTERVAL') {
    // count = 1*DIGIT; INTERVAL "contains a positive integer" (3.3.10), and a COUNT of 0 would be no series.
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) {
      refuse(`${name}=${value} is not a positive integer`);
    }
  } else if (name === 'WKST') {
    if (!WEEKDAY_ONLY.test(value)) refuse(`WKST=${value} is not a weekday`);
  } else if (name === 'BYDAY') {
    for (const item of value.split(',')) checkWeekdayNum(item);
  } else if (Object.hasOwn(NUMBER_LISTS, name)) {
    checkNumberList(name, value, NUMBER_LISTS[name] as NumberListGrammar);
  }
}

function checkWeekdayNum(item: string): void {
  const match = WEEKDAY_NUM.exec(item);
  const ordinal = match?.[1] === undefined ? undefined : Number(match[1]);
  if (!match || (ordinal !== undefined && (ordinal < 1 || ordinal > 53))) {
    refuse(`BYDAY value "${item}" is not [±]1..53 and a weekday`);
  }
}

function checkNumberList(name: string, value: string, grammar: NumberListGrammar): void {
  const pattern = new RegExp(`^${grammar.signed ? '[+-]?' : ''}\\d{1,${grammar.digits}}$`);
  for (const item of value.split(',')) {
    const magnitude = Math.abs(Number(item));
    if (!pattern.test(item) || magnitude < grammar.least || magnitude > grammar.most) {
      refuse(
        `${name} value "${item}" is out of ${grammar.signed ? '±' : ''}${grammar.least}..${grammar.most}`,
      );
    }
  }
}

/**
 * 3.3.10: "The value of the UNTIL rule part MUST have the same value type as the "DTSTART" property", and
 * when DTSTART is "a date with local time and time zone reference, then the UNTIL rule part MUST be specified
 * as a date with UTC time". Google's timed series always have a zone (start.timeZone is required), so theirs
 * need `...Z`; an all-day series a DATE.
 */
function checkUntil(value: string, series: SeriesShape): void {
  const until = parseBasicIcsTime(value) ?? refuse(`UNTIL=${value} is neither a DATE nor a DATE-TIME`);
  if (series.allDay && until.kind !== 'date') refuse('UNTIL of an all-day series must be a DATE');
  if (!series.allDay && !(until.kind === 'date-time' && until.utc)) {
    refuse('UNTIL of a timed series must be a UTC date-time (ending in Z)');
  }
}

/** The combinations RFC 5545 3.3.10 forbids, each with the RFC's words. */
function checkCombinations(freq: string, parts: ReadonlyMap<string, string>): void {
  // "The UNTIL or COUNT rule parts are OPTIONAL, but they MUST NOT occur in the same 'recur'."
  if (parts.has('UNTIL') && parts.has('COUNT')) refuse('UNTIL and COUNT cannot both be given');
  // "The BYMONTHDAY rule part MUST NOT be specified when the FREQ rule part is set to WEEKLY."
  if (parts.has('BYMONTHDAY') && freq === 'WEEKLY') refuse('BYMONTHDAY is not valid with FREQ=WEEKLY');
  // BYYEARDAY "MUST NOT be specified when the FREQ rule part is set to DAILY, WEEKLY, or MONTHLY."
  if (parts.has('BYYEARDAY') && ['DAILY', 'WEEKLY', 'MONTHLY'].includes(freq)) {
    refuse(`BYYEARDAY is not valid with FREQ=${freq}`);
  }
  // BYWEEKNO "MUST NOT be used when the FREQ rule part is set to anything other than YEARLY."
  if (parts.has('BYWEEKNO') && freq !== 'YEARLY') refuse(`BYWEEKNO is not valid with FREQ=${freq}`);
  // A numbered BYDAY "MUST NOT be specified when the FREQ rule part is not set to MONTHLY or YEARLY.
  // Furthermore, the BYDAY rule part MUST NOT be specified with a numeric value with the FREQ rule part set to
  // YEARLY when the BYWEEKNO rule part is specified."
  const numberedDay = (parts.get('BYDAY') ?? '').split(',').some((item) => /\d/.test(item));
  if (numberedDay && freq !== 'MONTHLY' && freq !== 'YEARLY') {
    refuse(`a numbered BYDAY (such as 1MO) is not valid with FREQ=${freq}`);
  }
  if (numberedDay && parts.has('BYWEEKNO'))
    refuse('a numbered BYDAY (such as 1MO) is not valid with BYWEEKNO');
  // "The BYSETPOS rule part ... MUST only be used in conjunction with another BYxxx rule part."
  const otherByPart = [...parts.keys()].some((name) => name.startsWith('BY') && name !== 'BYSETPOS');
  if (parts.has('BYSETPOS') && !otherByPart) refuse('BYSETPOS needs another BYxxx rule part');
}

// ---------------------------------------------------------------------------------------------------------
// RDATE (RFC 5545 3.8.5.2) and EXDATE (3.8.5.1) lines.

/**
 * Parameters: RFC 5545 gives these lines VALUE and TZID (and lets other-param through); Google's form has
 * those two only, and the stricter answer is the emulator's where Google documents nothing.
 */
function checkDateList(
  name: 'RDATE' | 'EXDATE',
  params: readonly [string, string][],
  value: string,
  series: SeriesShape,
): void {
  let valueType = 'DATE-TIME'; // "The default value type for this property is DATE-TIME." (3.8.5.1, 3.8.5.2)
  let tzid: string | undefined;
  for (const [param, paramValue] of params) {
    if (param === 'VALUE') valueType = paramValue.toUpperCase();
    else if (param === 'TZID') tzid = paramValue;
    else refuse(`${name} takes no ${param} parameter`);
  }
  // RDATE may be a PERIOD (3.8.5.2); Google takes no periods (the ICS mapping writes their starts).
  if (valueType === 'PERIOD') refuse(`${name};VALUE=PERIOD: Google takes the start times only`);
  if (valueType !== 'DATE' && valueType !== 'DATE-TIME')
    refuse(`VALUE=${valueType} is not DATE or DATE-TIME`);
  // A TZID names a zone as start.timeZone does: Google refuses the same names there (isEventZone, README).
  if (tzid !== undefined && !isEventZone(tzid, series.acceptRecentZoneNames)) {
    refuse(`TZID=${tzid} is not a zone name Google takes`);
  }
  for (const text of value.split(',')) checkDateValue(text, valueType, tzid);
}

function checkDateValue(text: string, valueType: string, tzid: string | undefined): void {
  const time: IcsTime = parseBasicIcsTime(text) ?? refuse(`"${text}" is neither a DATE nor a DATE-TIME`);
  // 3.2.20 VALUE: when "the property's default value type is overridden by some other allowable value type,
  // then this parameter MUST be specified": a DATE needs VALUE=DATE, and every value has the type VALUE names.
  const type = time.kind === 'date' ? 'DATE' : 'DATE-TIME';
  if (type !== valueType) refuse(`"${text}" is a ${type}, not a ${valueType}`);
  // 3.2.19 TZID: "The TZID property parameter MUST NOT be applied to DATE properties and DATE-TIME or TIME
  // properties whose time values are specified in UTC."
  if (tzid !== undefined && (time.kind === 'date' || time.utc)) {
    refuse(`"${text}" cannot have a TZID (it is UTC or a date)`);
  }
}
