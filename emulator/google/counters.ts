/** Calls received, per method and per user (every call, including those answered with an error). */
import type { Counters } from './types.ts';

export class CallCounters {
  private counters: Counters = { total: 0, byMethod: {}, byUser: {} };

  record(method: string, userEmail?: string): void {
    this.counters.total += 1;
    this.counters.byMethod[method] = (this.counters.byMethod[method] ?? 0) + 1;
    if (!userEmail) return;
    const user = this.counters.byUser[userEmail] ?? { total: 0, byMethod: {} };
    this.counters.byUser[userEmail] = user;
    user.total += 1;
    user.byMethod[method] = (user.byMethod[method] ?? 0) + 1;
  }

  snapshot(): Counters {
    return structuredClone(this.counters);
  }

  reset(): void {
    this.counters = { total: 0, byMethod: {}, byUser: {} };
  }
}
