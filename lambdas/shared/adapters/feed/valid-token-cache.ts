/**
 * Feed tokens this warm container saw valid lately, by subscriberId, so that polling the status page does not
 * download the whole feed each time. Only "valid" is kept (a refused or unchecked token is asked about every
 * time), for a bounded time and a bounded number of subscribers.
 */
export class ValidTokenCache {
  /** subscriberId -> epoch ms until which the token counts as valid; iteration order is insertion order. */
  private readonly validUntil = new Map<string, number>();
  /** The feed's X-WR-CALNAME, kept with the verdict so the confirmation page needs no second download. */
  private readonly names = new Map<string, string>();

  constructor(private readonly options: { ttlMs: number; now: () => Date; maxEntries?: number }) {}

  isValid(subscriberId: string): boolean {
    const until = this.validUntil.get(subscriberId);
    if (until === undefined) return false;
    if (until > this.options.now().getTime()) return true;
    this.forget(subscriberId);
    return false;
  }

  /** The calendar name seen with the valid verdict (undefined when the feed had none or nothing is kept). */
  calendarNameOf(subscriberId: string): string | undefined {
    return this.isValid(subscriberId) ? this.names.get(subscriberId) : undefined;
  }

  rememberValid(subscriberId: string, calendarName?: string): void {
    if (this.options.ttlMs <= 0) return;
    this.forget(subscriberId);
    this.validUntil.set(subscriberId, this.options.now().getTime() + this.options.ttlMs);
    if (calendarName !== undefined) this.names.set(subscriberId, calendarName);
    if (this.validUntil.size > (this.options.maxEntries ?? 10_000)) {
      const oldest = this.validUntil.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
  }

  private forget(subscriberId: string): void {
    this.validUntil.delete(subscriberId);
    this.names.delete(subscriberId);
  }
}
