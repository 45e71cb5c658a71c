import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import {
  DynamoProjectQuotaBudget,
  PROJECT_QUOTA_BUCKET,
} from '../../../lambdas/shared/adapters/dynamodb/project-quota-budget.ts';
import { DEFAULT_PROJECT_QUOTA_WINDOWS } from '../../../lambdas/shared/domain/project-quota-windows.ts';
import type { Clock } from '../../../lambdas/shared/wiring/clock.ts';
import { describeOnEachBackend, itConcurrent, type Stores } from './fixture.ts';

/** A clock that moves only when a caller sleeps (to the end of its sleep): no test waits for real time. */
class SteppingClock implements Clock {
  constructor(private at: number) {}
  now(): number {
    return this.at;
  }
  async sleep(ms: number): Promise<void> {
    this.at = Math.max(this.at, this.at + ms);
  }
}

// 3,200 a minute: 100 units in each 2-second window, reserved 12 at a time.
const QUOTA_PER_MINUTE = 3_200;
const budgetOn = (stores: Stores, clock: Clock) =>
  new DynamoProjectQuotaBudget(
    stores.dynamo.client,
    stores.dynamo.tableNames.rateLimits,
    { ...DEFAULT_PROJECT_QUOTA_WINDOWS, quotaPerMinute: QUOTA_PER_MINUTE },
    clock,
  );

async function windowTotal(stores: Stores, window: number): Promise<number> {
  const { Item } = await stores.dynamo.client.send(
    new GetItemCommand({
      TableName: stores.dynamo.tableNames.rateLimits,
      Key: { bucket: { S: `${PROJECT_QUOTA_BUCKET}@${window}` } },
      ConsistentRead: true,
    }),
  );
  return Number(Item?.units?.N ?? 0);
}

describeOnEachBackend('DynamoProjectQuotaBudget', (stores) => {
  it('reserves in batches, spends from them, and waits for the next window once this one is spent', async () => {
    const start = Date.parse('2026-03-01T12:00:00.000Z');
    const clock = new SteppingClock(start);
    const budget = budgetOn(stores, clock);
    expect(budget.windows).toEqual({ windowMs: 2_000, unitsPerWindow: 100, reservationUnits: 12 });
    const window = start / 2_000;
    // A lone call reserves what it needs; callers waiting together get one batch for all of them.
    expect(await budget.take(1)).toBe(true);
    expect(budget.usage).toMatchObject({ reserved: 1, spent: 1, requests: 1 });
    expect(await Promise.all(Array.from({ length: 12 }, () => budget.take(1)))).toEqual(Array(12).fill(true));
    expect(budget.usage).toMatchObject({ reserved: 13, spent: 13, requests: 3 });
    // Patches (3 units) until the window is spent: then a take waits for the next window.
    let unitsInFirstWindow = 13;
    while (clock.now() === start) {
      expect(await budget.take(3)).toBe(true);
      if (clock.now() === start) unitsInFirstWindow += 3;
    }
    expect(clock.now()).toBe(start + 2_000);
    // The window's 100 units, less what is too little for a patch: never more.
    expect(await windowTotal(stores, window)).toBeLessThanOrEqual(100);
    expect(unitsInFirstWindow).toBeGreaterThan(100 - 3);
    expect(await windowTotal(stores, window + 1)).toBe(3);
    expect(budget.usage.lost).toBe(0);
  });

  it('counts as lost what comes back after its window ended, and reserves again in the new one', async () => {
    const start = Date.parse('2026-03-01T12:30:00.000Z');
    const clock = new SteppingClock(start);
    const budget = budgetOn(stores, clock);
    const late = budget.take(2);
    // The window ends while the reservation is on its way.
    await clock.sleep(2_000);
    expect(await late).toBe(true);
    expect(budget.usage).toMatchObject({ reserved: 4, spent: 2, lost: 2, requests: 2 });
    expect(await windowTotal(stores, start / 2_000)).toBe(2);
    expect(await windowTotal(stores, start / 2_000 + 1)).toBe(2);
  });

  it('reserves for the window its answer arrives in, once it knows how long answers take', async () => {
    const start = Date.parse('2026-03-01T12:40:00.000Z');
    const clock = new SteppingClock(start + 1_800);
    // Every answer of DynamoDB takes 300 ms.
    const slowClient = {
      send: async (command: Parameters<typeof stores.dynamo.client.send>[0]) => {
        const answer = await stores.dynamo.client.send(command);
        await clock.sleep(300);
        return answer;
      },
    } as typeof stores.dynamo.client;
    const budget = new DynamoProjectQuotaBudget(
      slowClient,
      stores.dynamo.tableNames.rateLimits,
      { ...DEFAULT_PROJECT_QUOTA_WINDOWS, quotaPerMinute: QUOTA_PER_MINUTE },
      clock,
    );
    // The first answer comes back after its window: lost, and asked again in the next.
    expect(await budget.take(1)).toBe(true);
    expect(budget.usage).toMatchObject({ reserved: 2, spent: 1, lost: 1 });
    // 200 ms before a window ends, the reservation is made for the next one, which its answer arrives in.
    await clock.sleep(start + 3_800 - clock.now());
    expect(await budget.take(1)).toBe(true);
    expect(clock.now()).toBe(start + 4_100);
    expect(budget.usage).toMatchObject({ reserved: 3, spent: 2, lost: 1 });
    expect(await windowTotal(stores, start / 2_000 + 2)).toBe(1);
  });

  it('says no, without waiting, when the next window starts at or after the deadline', async () => {
    const start = Date.parse('2026-03-01T13:00:01.000Z');
    const clock = new SteppingClock(start);
    const first = budgetOn(stores, clock);
    const second = budgetOn(stores, clock);
    let spent = 0;
    while (spent < 100 && (await first.take(1, start + 1_000))) spent++;
    expect(spent).toBe(100);
    // Another writer finds the window spent; the next one starts at the deadline.
    expect(await second.take(1, start + 1_000)).toBe(false);
    expect(clock.now()).toBe(start);
    expect(await second.take(1, start + 1_001)).toBe(true);
    expect(clock.now()).toBe(start + 1_000);
  });

  it('sets the counter to expire a minute after its window', async () => {
    const start = Date.parse('2026-03-01T14:00:00.000Z');
    await budgetOn(stores, new SteppingClock(start)).take(1);
    const { Item } = await stores.dynamo.client.send(
      new GetItemCommand({
        TableName: stores.dynamo.tableNames.rateLimits,
        Key: { bucket: { S: `${PROJECT_QUOTA_BUCKET}@${start / 2_000}` } },
      }),
    );
    expect(Item?.expiresAt?.N).toBe(String((start + 2_000 + 60_000) / 1000));
  });

  itConcurrent(stores)('never hands out more than a window allows to concurrent writers', async () => {
    const start = Date.parse('2026-03-01T15:00:00.000Z');
    const window = start / 2_000;
    // Eight containers, each with six callers, all in one window whose clock does not move: together they ask
    // for far more than the window has.
    const clock: Clock = { now: () => start, sleep: async () => {} };
    const budgets = Array.from({ length: 8 }, () => budgetOn(stores, clock));
    const granted = await Promise.all(
      budgets.flatMap((budget) =>
        Array.from({ length: 6 }, async () => {
          let units = 0;
          // A deadline at the next window: each caller stops once the window is spent.
          while (await budget.take(1, start + 2_000)) units++;
          return units;
        }),
      ),
    );
    const total = granted.reduce((sum, units) => sum + units, 0);
    expect(await windowTotal(stores, window)).toBe(100);
    expect(total).toBe(100);
    expect(budgets.reduce((sum, budget) => sum + budget.usage.reserved, 0)).toBe(100);
  });
});
