/**
 * A tolerant RFC 5545 content-line reader: unfolds lines, splits name, parameters and value, and nests
 * components. It keeps values lexical (no date or time-zone interpretation) because the mapping re-emits
 * them (wall times, TZIDs, RRULE text) for Google; interpretation happens once, where it is needed.
 */
import type { WorkBudget } from '../work-budget.ts';

export interface Property {
  /** Upper-cased property name (names are case-insensitive). */
  name: string;
  /** Upper-cased parameter names; values unquoted, as written. */
  params: Record<string, string>;
  value: string;
}

export interface Component {
  /** Upper-cased component name (VCALENDAR, VEVENT, VTIMEZONE, STANDARD, ...). */
  name: string;
  properties: Property[];
  components: Component[];
  /** Set when the component was not closed properly (END missing or out of order). */
  unterminated?: boolean;
  /** Where an unterminated component was opened and closed (lines counted from 1, as in the text). */
  unclosed?: UnclosedComponent;
}

/** A component whose END was missing or misspelled, and where the reader closed it instead. */
export interface UnclosedComponent {
  name: string;
  openedAtLine: number;
  closedAtLine: number;
  /** What closed it: `BEGIN:VEVENT` (a component that cannot nest in it), `END:VCALENDAR`, `the end of the text`. */
  closedBy: string;
}

export interface ReadOptions {
  /**
   * Receives each VEVENT of a VCALENDAR as soon as it ends (with the VCALENDAR's index in the text), and
   * keeps it out of the tree: big feeds are then mapped event by event, not held whole.
   */
  onEvent?: (event: Component, calendarIndex: number) => void;
  /** Caps on components and nesting: past them reading stops with FeedTooCostly. */
  budget?: WorkBudget;
}

export interface ReadResult {
  /** The VCALENDARs of the text (top-level components of other kinds are kept too). */
  calendars: Component[];
  /** Content lines that could not be read, as a count (their text may hold personal data, so it is not kept). */
  unreadableLines: number;
  /**
   * Components other than VEVENTs closed without their END (a VEVENT carries its own `unclosed`, for a warning
   * with its UID); a VCALENDAR the text simply ends in is not listed (nothing after it was lost). The first
   * UNCLOSED_LISTED only: `unclosedCount` counts them all.
   */
  unclosed: UnclosedComponent[];
  unclosedCount: number;
}

const END_OF_TEXT = 'the end of the text';

/** How many unclosed components a read lists (a hostile feed may have thousands; each becomes a warning). */
const UNCLOSED_LISTED = 20;

/**
 * Components that only nest directly in a VCALENDAR (RFC 5545 3.6, RFC 7953): their BEGIN closes whatever
 * is open inside the VCALENDAR, as mainstream parsers do, so one misspelled END (`END:VTOOD`) does not swallow
 * every event after it. VTIMEZONE is not among them: a VTIMEZONE never closed is not read as a zone (the zone
 * scan needs its END), and nested unclosed VTIMEZONEs stay under the nesting cap.
 */
const CALENDAR_LEVEL = new Set(['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VAVAILABILITY']);

const NAME = /^[A-Za-z0-9-]+$/;
const upperNames = new Map<string, string>();
/** Property names repeat on every event: one upper-cased string per distinct spelling. */
function upperName(name: string): string {
  let upper = upperNames.get(name);
  if (upper === undefined) {
    upper = name.toUpperCase();
    if (upperNames.size < 10_000) upperNames.set(name, upper);
  }
  return upper;
}
const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Splits `NAME;P=V;Q="x:y":value` without regular-expression backtracking on long values. */
export function parseContentLine(line: string): Property | undefined {
  let index = 0;
  const length = line.length;
  while (index < length && line[index] !== ';' && line[index] !== ':') index++;
  if (index >= length) return undefined;
  const name = line.slice(0, index);
  if (!NAME.test(name)) return undefined;
  // Most lines carry no parameters: they share one empty, frozen object (fewer allocations on big feeds).
  let params: Record<string, string> = NO_PARAMS;
  if (line[index] === ';') params = {};
  while (line[index] === ';') {
    index++;
    const eq = line.indexOf('=', index);
    if (eq < 0) return undefined;
    const paramName = line.slice(index, eq).trim().toUpperCase();
    index = eq + 1;
    const values: string[] = [];
    for (;;) {
      if (line[index] === '"') {
        const close = line.indexOf('"', index + 1);
        if (close < 0) return undefined;
        values.push(line.slice(index + 1, close));
        index = close + 1;
      } else {
        // Outlook writes `TZID=(GMT+01:00) Amsterdam, Berlin` unquoted: a colon inside the leading
        // parentheses is part of the value, not the start of the property value.
        let end = line[index] === '(' ? closingParenthesis(line, index) + 1 : index;
        while (end < length && line[end] !== ';' && line[end] !== ':' && line[end] !== ',') end++;
        values.push(line.slice(index, end));
        index = end;
      }
      if (line[index] === ',') {
        index++;
        continue;
      }
      break;
    }
    if (paramName) params[paramName] = values.join(',');
  }
  if (line[index] !== ':') return undefined;
  return { name: upperName(name), params, value: line.slice(index + 1) };
}

/** The index of the `)` closing the `(` at `open`, or open - 1 when it is never closed (read as usual then). */
function closingParenthesis(line: string, open: number): number {
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    const c = line[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
    else if (c === '"') break;
  }
  return open - 1;
}

/**
 * Calls `visit` with each logical content line (RFC 5545 3.1 unfolding), walking the text in place: big
 * feeds never become an array of lines. A BOM at the start of a line is dropped; a continuation with
 * nothing to continue (an indented file) is read as a line of its own. The walk stops when `visit` returns
 * false. `lineNumber` is that of the logical line's first physical line, counted from 1 (for warnings).
 */
export function forEachContentLine(text: string, visit: (line: string, lineNumber: number) => unknown): void {
  let pending: string | undefined;
  let pendingLineNumber = 0;
  let lineNumber = 0;
  let index = 0;
  const length = text.length;
  while (index < length) {
    lineNumber++;
    let end = index;
    while (end < length) {
      const c = text.charCodeAt(end);
      if (c === 10 || c === 13) break;
      end++;
    }
    let line = text.slice(index, end);
    index = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
    if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.length === 0) continue;
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      if (pending === undefined) {
        pending = line.trimStart();
        pendingLineNumber = lineNumber;
      } else pending += line.slice(1);
      continue;
    }
    if (pending !== undefined && visit(pending, pendingLineNumber) === false) return;
    pending = line;
    pendingLineNumber = lineNumber;
  }
  if (pending !== undefined) visit(pending, pendingLineNumber);
}

/**
 * Reads every component of the text. Unknown and malformed lines are counted and skipped. A component whose
 * END is missing or misspelled is closed, marked unterminated, where mainstream parsers close it: at the BEGIN
 * of a component that cannot nest in it (a VEVENT, VTODO, ... only nests in a VCALENDAR; so Outlook's missing
 * END:VEVENT ends at the next BEGIN:VEVENT), at an END of a component around it (END:VCALENDAR), or at the
 * end of the text. A VCALENDAR inside a VCALENDAR stays nested (libical's test files close both), as before.
 */
export function readComponents(text: string, options: ReadOptions = {}): ReadResult {
  const reader = new ComponentReader(options);
  forEachContentLine(text, (line, lineNumber) => reader.read(line, lineNumber));
  return reader.finish();
}

/** The state of one readComponents: the tree so far and the components still open. */
class ComponentReader {
  private readonly roots: Component[] = [];
  private readonly stack: Component[] = [];
  // The line each open component began on, beside `stack` (only read when one is closed without its END).
  private readonly openedAt: number[] = [];
  private readonly unclosed: UnclosedComponent[] = [];
  private unclosedCount = 0;
  private unreadableLines = 0;
  private calendarIndex = -1;
  private lastLine = 0;
  private componentCount = 0;
  private readonly options: ReadOptions;

  constructor(options: ReadOptions) {
    this.options = options;
  }

  read(line: string, lineNumber: number): void {
    this.lastLine = lineNumber;
    const property = parseContentLine(
      line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9 ? line.trimStart() : line,
    );
    if (!property) {
      this.unreadableLines++;
      return;
    }
    if (property.name === 'BEGIN') this.begin(property.value.trim().toUpperCase(), lineNumber);
    else if (property.name === 'END') this.end(property.value.trim().toUpperCase(), lineNumber);
    else {
      const current = this.stack.at(-1);
      if (current) current.properties.push(property);
      else this.unreadableLines++;
    }
  }

  finish(): ReadResult {
    this.closeUnterminated(0, this.lastLine, END_OF_TEXT);
    const calendars = this.roots.filter((c) => c.name === 'VCALENDAR');
    const { unreadableLines, unclosed, unclosedCount } = this;
    return { calendars, unreadableLines, unclosed, unclosedCount };
  }

  private begin(name: string, lineNumber: number): void {
    const stack = this.stack;
    const { budget } = this.options;
    if (CALENDAR_LEVEL.has(name) && stack.length > 0) {
      // Everything open inside the innermost VCALENDAR (or, without one, everything) lost its END.
      const calendarAt = stack.findLastIndex((c) => c.name === 'VCALENDAR');
      this.closeUnterminated(calendarAt + 1, lineNumber, `BEGIN:${name}`);
    }
    if (budget) {
      // The END of an unknown component searches the open ones: nesting is capped, so that stays cheap.
      budget.cap('components', ++this.componentCount, 'more than {n} components');
      budget.cap('depth', stack.length + 1, 'components nested more than {n} deep');
    }
    const component: Component = { name, properties: [], components: [] };
    if (stack.length === 0 && name === 'VCALENDAR') this.calendarIndex++;
    const parent = stack.at(-1);
    if (parent) parent.components.push(component);
    else this.roots.push(component);
    stack.push(component);
    this.openedAt.push(lineNumber);
  }

  private end(name: string, lineNumber: number): void {
    const openAt = this.stack.findLastIndex((c) => c.name === name);
    if (openAt < 0) {
      this.unreadableLines++;
      return;
    }
    this.closeUnterminated(openAt + 1, lineNumber, `END:${name}`);
    const closing = this.stack[openAt] as Component;
    this.stack.length = openAt;
    this.openedAt.length = openAt;
    this.close(closing, openAt);
  }

  // A VEVENT right inside a VCALENDAR goes to onEvent when it ends, instead of into the tree.
  private close(component: Component, depth: number): void {
    const { onEvent } = this.options;
    const stack = this.stack;
    if (onEvent && depth === 1 && component.name === 'VEVENT' && stack[0]?.name === 'VCALENDAR') {
      const parent = stack[0];
      const at = parent.components.lastIndexOf(component);
      if (at >= 0) parent.components.splice(at, 1);
      onEvent(component, this.calendarIndex);
    }
  }

  /** Closes the open components above `depth`, innermost first, as unterminated. */
  private closeUnterminated(depth: number, closedAtLine: number, closedBy: string): void {
    const { stack, openedAt } = this;
    for (let i = stack.length - 1; i >= depth; i--) {
      const closing = stack[i] as Component;
      const report = { name: closing.name, openedAtLine: openedAt[i] as number, closedAtLine, closedBy };
      closing.unterminated = true;
      // A VCALENDAR the text ends in is not reported: nothing after it was lost.
      const endsTheText = i === 0 && closing.name === 'VCALENDAR' && closedBy === END_OF_TEXT;
      if (closing.name === 'VEVENT') closing.unclosed = report;
      else if (!endsTheText && this.unclosedCount++ < UNCLOSED_LISTED) this.unclosed.push(report);
      stack.length = i;
      openedAt.length = i;
      this.close(closing, i);
    }
  }
}

/** The first property of that name, if any. */
export function first(component: Component, name: string): Property | undefined {
  return component.properties.find((p) => p.name === name);
}

export function all(component: Component, name: string): Property[] {
  return component.properties.filter((p) => p.name === name);
}

/** TEXT value unescaping (RFC 5545 3.3.11): \\n, \\N, \\, \\; and \\\\. */
export function unescapeText(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\([nN,;\\:])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}
