/** The emulator's whole state and services, shared by the HTTP routes and the control surface. */
import { Accounts } from './accounts.ts';
import { CalendarStore } from './calendar/store.ts';
import { CallCounters } from './counters.ts';
import { FaultInjector } from './faults.ts';
import { RateLimiter, UsageLimiter } from './limits.ts';
import { TokenStore } from './oauth/tokens.ts';
import type { EmulatorOptions } from './options.ts';
import type { EmulatorUser } from './types.ts';

export class EmulatorCore {
  readonly accounts = new Accounts();
  readonly calendars = new CalendarStore();
  readonly tokens: TokenStore;
  readonly rateLimiter: RateLimiter;
  readonly usageLimiter: UsageLimiter;
  readonly faults = new FaultInjector();
  readonly counters = new CallCounters();
  latencyMs: number;

  constructor(readonly options: EmulatorOptions) {
    const now = () => this.now();
    this.tokens = new TokenStore(options.tokens, now);
    this.rateLimiter = new RateLimiter(options.quotas, now);
    this.usageLimiter = new UsageLimiter(options.usageLimits, now);
    this.latencyMs = options.latencyMs;
  }

  now(): number {
    return this.options.now();
  }

  /** A Google account comes with its primary calendar. */
  createUser(input: { email?: string; name?: string; timeZone?: string } = {}): EmulatorUser {
    const user = this.accounts.createUser(input);
    this.calendars.createPrimary(user);
    return user;
  }
}
