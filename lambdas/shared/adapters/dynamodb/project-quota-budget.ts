import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type ProjectQuotaPolicy,
  type QuotaWindows,
  quotaWindowsOf,
  windowAt,
  windowStart,
} from '../../domain/project-quota-windows.ts';
import type { ProjectQuotaBudget, ProjectQuotaUsage } from '../../ports/project-quota-budget.ts';
import type { Clock } from '../../wiring/clock.ts';
import { attributes, itemKey } from './items.ts';
import { TABLES } from './tables.ts';

const { ttlAttribute } = TABLES.rateLimits;
/** The counters' bucket prefix in the `rateLimits` table: no route's bucket starts so (theirs name a route). */
export const PROJECT_QUOTA_BUCKET = 'google-project-quota';

/**
 * The project's quota as one counter item per short window in the `rateLimits` table (it has TTL). A writer
 * reserves units in small batches with a conditional UpdateItem that adds only while the window's total stays
 * within its share (project-quota-windows.ts), so all writers together never go past it; the calls of this
 * container (several syncs at once) spend from what it holds. What it holds when the window ends is lost (counted
 * in `usage.lost`): Google's sliding minute leaves no way to hand units back.
 */
export class DynamoProjectQuotaBudget implements ProjectQuotaBudget {
  readonly windows: QuotaWindows;
  readonly usage: ProjectQuotaUsage = { reserved: 0, spent: 0, lost: 0, requests: 0 };
  private heldWindow = Number.NEGATIVE_INFINITY;
  private held = 0;
  /** The last window found spent: nobody of this container asks for it again. */
  private spentWindow = Number.NEGATIVE_INFINITY;
  /** One reservation at a time per container; other callers wait for it and look again. */
  private reserving: Promise<void> | undefined;
  /** Units the callers inside `take` still wait for: what a reservation asks for, up to a batch. */
  private wanted = 0;
  /**
   * How long a reservation takes to come back (quick to rise, slow to fall; at most half a window): a reservation
   * is made for the window it will arrive in, so units come back usable rather than after their window ended.
   */
  private roundTripMs = 0;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    policy: ProjectQuotaPolicy,
    private readonly clock: Clock,
  ) {
    this.windows = quotaWindowsOf(policy);
  }

  async take(units: number, deadline?: number): Promise<boolean> {
    this.wanted += units;
    let served = false;
    try {
      served = await this.takeWanted(units, deadline);
      return served;
    } finally {
      // A caller served stopped wanting when it was served (see takeWanted).
      if (!served) this.wanted -= units;
    }
  }

  private async takeWanted(units: number, deadline: number | undefined): Promise<boolean> {
    const { unitsPerWindow } = this.windows;
    if (units > unitsPerWindow) throw new Error('a call costs more units than a window allows');
    for (;;) {
      const now = this.clock.now();
      const window = windowAt(now, this.windows);
      this.moveTo(window);
      if (this.held >= units) {
        if (this.heldWindow === window) {
          this.held -= units;
          this.wanted -= units;
          this.usage.spent += units;
          return true;
        }
        // Reserved ahead for the next window: spent once it opens.
        if (!(await this.sleepUntil(windowStart(this.heldWindow, this.windows), now, deadline))) return false;
        continue;
      }
      if (this.reserving) {
        await this.reserving;
        continue;
      }
      // The window a reservation asked now comes back in (or the later one already held for).
      const target = Math.max(windowAt(now + this.roundTripMs, this.windows), this.heldWindow);
      if (this.spentWindow >= target) {
        // Ask for the next window a round trip before it opens, so that its units are here when it does.
        const opens = windowStart(this.spentWindow + 1, this.windows);
        if (deadline !== undefined && opens >= deadline) return false;
        await this.clock.sleep(Math.max(0, opens - this.roundTripMs - now));
        continue;
      }
      const heldForTarget = target === this.heldWindow ? this.held : 0;
      this.reserving = this.reserve(target, units - heldForTarget, this.wanted - heldForTarget).finally(
        () => {
          this.reserving = undefined;
        },
      );
      await this.reserving;
    }
  }

  /** Sleeps until `at`, or says false at once when that is not before the deadline. */
  private async sleepUntil(at: number, now: number, deadline: number | undefined): Promise<boolean> {
    if (deadline !== undefined && at >= deadline) return false;
    await this.clock.sleep(at - now);
    return true;
  }

  /** A new window: what was held for an earlier one can no longer be spent. */
  private moveTo(window: number): void {
    if (window <= this.heldWindow) return;
    this.usage.lost += this.held;
    this.held = 0;
    this.heldWindow = window;
  }

  /**
   * Reserves for `window` what the waiting callers want (`wanted`), at least `needed` and at most a batch, or less
   * when less is left (halving down to `needed`), or marks the window spent. Asking only for what callers wait
   * for keeps a container that calls seldom from holding units it will not use; under a backlog many wait, and
   * batches are whole. A batch that comes back after its window ended is counted and lost on the next look.
   */
  private async reserve(window: number, needed: number, wanted: number): Promise<void> {
    const { unitsPerWindow, reservationUnits } = this.windows;
    let want = Math.min(unitsPerWindow, Math.max(needed, Math.min(reservationUnits, wanted)));
    for (;;) {
      this.usage.requests++;
      const sent = this.clock.now();
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: itemKey(TABLES.rateLimits, `${PROJECT_QUOTA_BUCKET}@${window}`),
            UpdateExpression: 'ADD #units :want SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
            ConditionExpression: 'attribute_not_exists(#units) OR #units <= :room',
            ExpressionAttributeNames: { '#units': 'units', '#expiresAt': ttlAttribute },
            ExpressionAttributeValues: attributes({
              ':want': want,
              ':room': unitsPerWindow - want,
              // Epoch seconds, a minute past the window's end: counters go on their own.
              ':expiresAt': Math.ceil((windowStart(window + 1, this.windows) + 60_000) / 1000),
            }),
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        this.timeRoundTrip(sent);
        if (want <= needed) {
          this.spentWindow = Math.max(this.spentWindow, window);
          return;
        }
        want = Math.max(needed, Math.floor(want / 2));
        continue;
      }
      this.timeRoundTrip(sent);
      this.usage.reserved += want;
      this.moveTo(window);
      if (window === this.heldWindow) this.held += want;
      else this.usage.lost += want;
      return;
    }
  }

  private timeRoundTrip(sent: number): void {
    const took = this.clock.now() - sent;
    this.roundTripMs = Math.min(
      this.windows.windowMs / 2,
      Math.max(took, this.roundTripMs * 0.8 + took * 0.2),
    );
  }
}
