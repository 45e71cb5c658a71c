/**
 * The work one feed may cost the mapping (reading, zone building, expansion). Anyone who controls a feed's
 * content controls how much work it asks for, so every loop whose length the feed decides either has a cap
 * (components, nesting, VTIMEZONE observances, zones) or spends from one budget of work units; a clock, when
 * given, bounds the time as well. Pure: the clock is a function the caller passes, nothing here waits.
 * Exceeding any of it throws FeedTooCostly, whose reason names the cause in plain words.
 */

/** Caps and budget of one mapping (see DEFAULT_FEED_LIMITS). */
export interface FeedLimits {
  /** Components (BEGIN lines) in the whole feed. */
  components: number;
  /** How deep components may nest (VCALENDAR > VEVENT > VALARM is 3). */
  depth: number;
  /** VTIMEZONE components in the feed. */
  zones: number;
  /** Distinct TZID values the feed's times name (each is looked up in several zone tables). */
  tzids: number;
  /** Observances (STANDARD, DAYLIGHT) plus RDATE onsets of one VTIMEZONE. */
  observances: number;
  /** Work units: days a recurrence walk examines, instances it produces, zone samples compared. */
  workUnits: number;
  /** Milliseconds, measured with `now` (ignored without it). */
  timeMs?: number;
}

/**
 * Far above real feeds: the corpus' largest has 8 VTIMEZONEs, 15 observances, 153 onsets, depth 3 and needs
 * 13,000 units; the benchmark's 10,000-event feed about 92,000.
 */
export const DEFAULT_FEED_LIMITS: FeedLimits = {
  components: 200_000,
  depth: 20,
  zones: 100,
  tzids: 1_000,
  observances: 1_000,
  workUnits: 10_000_000,
};

/** What a mapping may be given: any limit changed, and a clock for the time limit. */
export interface FeedBudgetOptions extends Partial<FeedLimits> {
  /** Milliseconds of some monotonic or wall clock; with timeMs, the mapping stops when it has run that long. */
  now?: () => number;
}

/**
 * The feed asks for more work than a mapping may do: the sync ends with a feed error naming `reason` (the
 * message reads on after "the feed could not be mapped: "). It never quotes the feed's content.
 */
export class FeedTooCostly extends Error {
  override readonly name = 'FeedTooCostly';
  constructor(
    readonly reason: string,
    /**
     * The time limit ran out, not a cap or the work units: a busy machine may have caused it, so the same text
     * may map next time (the caps and units give the same answer for the same text, whatever the machine).
     */
    readonly timedOut = false,
  ) {
    super(`it costs too much work: ${reason}`);
  }
}

/** Work units between two looks at the clock: a clock read costs far more than a unit. */
const CLOCK_EVERY_UNITS = 16_384;

/** The budget of one mapping: caps to check and units to spend. */
export class WorkBudget {
  readonly limits: FeedLimits;
  readonly #now: (() => number) | undefined;
  readonly #deadline: number;
  #spent = 0;
  #nextClockAt = CLOCK_EVERY_UNITS;

  constructor(options: FeedBudgetOptions = {}) {
    const { now, ...limits } = options;
    this.limits = { ...DEFAULT_FEED_LIMITS, ...limits };
    this.#now = now;
    this.#deadline =
      now && this.limits.timeMs !== undefined ? now() + this.limits.timeMs : Number.POSITIVE_INFINITY;
  }

  /** Units spent so far (tests assert work counts, never timings). */
  get spent(): number {
    return this.#spent;
  }

  /** Spends `units`; throws FeedTooCostly once the budget (units or time) is exceeded. */
  spend(units: number, doing: string): void {
    this.#spent += units;
    if (this.#spent > this.limits.workUnits)
      throw new FeedTooCostly(
        `${doing} needs more than ${this.limits.workUnits.toLocaleString('en-US')} units of work`,
      );
    if (this.#spent >= this.#nextClockAt) {
      this.#nextClockAt = this.#spent + CLOCK_EVERY_UNITS;
      this.checkTime(doing);
    }
  }

  /** Throws FeedTooCostly when the time limit has passed. */
  checkTime(doing: string): void {
    if (this.#now && this.#now() > this.#deadline)
      throw new FeedTooCostly(
        `${doing} takes more than ${this.limits.timeMs?.toLocaleString('en-US')} ms`,
        true,
      );
  }

  /** Throws FeedTooCostly when `count` exceeds the cap `limit` names ("more than N <what>"). */
  cap(limit: Exclude<keyof FeedLimits, 'workUnits' | 'timeMs'>, count: number, what: string): void {
    const max = this.limits[limit];
    if (count > max) throw new FeedTooCostly(what.replace('{n}', max.toLocaleString('en-US')));
  }
}
