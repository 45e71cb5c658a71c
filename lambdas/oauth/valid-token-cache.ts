/**
 * Feed tokens this warm container saw valid lately, by subscriberId, so that polling the status page does not
 * download the whole feed each time. Only "valid" is kept (a refused or unchecked token is asked about every
 * time), for a bounded time and a bounded number of subscribers.
 */
export class ValidTokenCache {
  /** subscriberId -> epoch ms until which the token counts as valid; iteration order is insertion order. */
  private readonly validUntil = new Map<string, number>();

  constructor(private readonly options: { ttlMs: number; now: () => Date; maxEntries?: number }) {}

  isValid(subscriberId: string): boolean {
    const until = this.validUntil.get(subscriberId);
    if (until === undefined) return false;
    if (until > this.options.now().getTime()) return true;
    this.validUntil.delete(subscriberId);
    return false;
  }

  rememberValid(subscriberId: string): void {
    if (this.options.ttlMs <= 0) return;
    this.validUntil.delete(subscriberId);
    this.validUntil.set(subscriberId, this.options.now().getTime() + this.options.ttlMs);
    if (this.validUntil.size > (this.options.maxEntries ?? 10_000)) {
      const oldest = this.validUntil.keys().next().value;
      if (oldest !== undefined) this.validUntil.delete(oldest);
    }
  }
}
