/** The emulator's whole state and services, shared by the HTTP routes and the control surface. */
import { Accounts } from './accounts.ts';
import { CalendarStore } from './calendar/store.ts';
import { CallCounters } from './counters.ts';
import { FaultInjector } from './faults.ts';
import { CalendarWriteLimiter, DailyLimiter, RateLimiter, UsageLimiter } from './limits.ts';
import { TokenStore } from './oauth/tokens.ts';
import type { EmulatorOptions } from './options.ts';
import type { EmulatorUser } from './types.ts';

export class EmulatorCore {
  readonly accounts = new Accounts();
  readonly calendars = new CalendarStore();
  readonly tokens: TokenStore;
  readonly rateLimiter: RateLimiter;
  readonly usageLimiter: UsageLimiter;
  readonly calendarWriteLimiter: CalendarWriteLimiter;
  readonly dailyLimiter: DailyLimiter;
  readonly faults = new FaultInjector();
  readonly counters = new CallCounters();
  latencyMs: number;

  constructor(readonly options: EmulatorOptions) {
    const now = () => this.now();
    // Quota and revocation are per project; a client registered without one is its own project.
    const projectOf = (clientId: string) => this.accounts.findClient(clientId)?.projectId ?? clientId;
    this.tokens = new TokenStore(options.tokens, now, projectOf);
    this.rateLimiter = new RateLimiter(options.quotas, now);
    this.usageLimiter = new UsageLimiter(options.usageLimits, now);
    this.calendarWriteLimiter = new CalendarWriteLimiter(options.calendarWrites, now);
    this.dailyLimiter = new DailyLimiter(options.quotas.perProjectPerDay, now);
    this.latencyMs = options.latencyMs;
    this.calendars.instanceIds.opaqueFromMs = options.instanceIds.opaqueFrom;
    this.calendars.tombstonePurgeAfterMs = options.tombstones.purgeAfterMs;
  }

  /** The project an OAuth client belongs to (quota, revocation); a client registered without one is its own. */
  projectOf(clientId: string): string {
    return this.accounts.findClient(clientId)?.projectId ?? clientId;
  }

  now(): number {
    return this.options.now();
  }

  /** A Google account comes with its primary calendar. */
  createUser(input: { id?: string; email?: string; name?: string; timeZone?: string } = {}): EmulatorUser {
    const user = this.accounts.createUser(input);
    this.calendars.createPrimary(user);
    return user;
  }
}
