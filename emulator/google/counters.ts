/**
 * Calls received, per method and per user (every call, including those answered with an error), and the quota
 * units charged (Calendar calls admitted by the quota check; refused or unauthenticated calls charge none).
 */
import type { Counters } from './types.ts';

const empty = (): Counters => ({ total: 0, units: 0, byMethod: {}, unitsByMethod: {}, byUser: {} });

export class CallCounters {
  private counters: Counters = empty();

  record(method: string, userEmail?: string): void {
    this.counters.total += 1;
    this.counters.byMethod[method] = (this.counters.byMethod[method] ?? 0) + 1;
    if (!userEmail) return;
    const user = this.userCounters(userEmail);
    user.total += 1;
    user.byMethod[method] = (user.byMethod[method] ?? 0) + 1;
  }

  /** Quota units charged to a call the quota admitted. */
  recordUnits(method: string, userEmail: string, units: number): void {
    this.counters.units += units;
    this.counters.unitsByMethod[method] = (this.counters.unitsByMethod[method] ?? 0) + units;
    const user = this.userCounters(userEmail);
    user.units += units;
    user.unitsByMethod[method] = (user.unitsByMethod[method] ?? 0) + units;
  }

  snapshot(): Counters {
    return structuredClone(this.counters);
  }

  reset(): void {
    this.counters = empty();
  }

  private userCounters(email: string): Counters['byUser'][string] {
    const user = this.counters.byUser[email] ?? { total: 0, units: 0, byMethod: {}, unitsByMethod: {} };
    this.counters.byUser[email] = user;
    return user;
  }
}
