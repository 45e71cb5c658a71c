import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { RateLimitStore, WindowCount } from '../../ports/rate-limit-store.ts';
import { attributes, itemKey, readItem } from './items.ts';
import { TABLES } from './tables.ts';

const { ttlAttribute } = TABLES.rateLimits;

/**
 * Fixed-window counters in the `rateLimits` table: one item per (bucket, window), incremented with an atomic
 * UpdateItem ADD. Items carry a TTL a window past their end, so old counters disappear on their own.
 */
export class DynamoRateLimitStore implements RateLimitStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async increment(bucket: string, windowSeconds: number, now: Date): Promise<WindowCount> {
    const { windowStart, windowEndsAt } = fixedWindow(windowSeconds, now);
    const { Attributes } = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: itemKey(TABLES.rateLimits, `${bucket}@${windowStart}`),
        UpdateExpression: 'ADD #count :one SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
        ExpressionAttributeNames: { '#count': 'count', '#expiresAt': ttlAttribute },
        ExpressionAttributeValues: attributes({ ':one': 1, ':expiresAt': windowEndsAt + windowSeconds }),
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const count = Attributes && readItem(Attributes, 'rate limit').optionalNumber('count');
    return { count: count ?? 1, windowEndsAt };
  }

  /** An eventually consistent read: a limit checked before the work may trail concurrent requests by a few. */
  async current(bucket: string, windowSeconds: number, now: Date): Promise<WindowCount> {
    const { windowStart, windowEndsAt } = fixedWindow(windowSeconds, now);
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: itemKey(TABLES.rateLimits, `${bucket}@${windowStart}`),
        ProjectionExpression: '#count',
        ExpressionAttributeNames: { '#count': 'count' },
      }),
    );
    const count = Item && readItem(Item, 'rate limit').optionalNumber('count');
    return { count: count ?? 0, windowEndsAt };
  }
}

function fixedWindow(windowSeconds: number, now: Date): { windowStart: number; windowEndsAt: number } {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const windowStart = nowSeconds - (nowSeconds % windowSeconds);
  return { windowStart, windowEndsAt: windowStart + windowSeconds };
}
