import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
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
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    const windowEndsAt = windowStart + windowSeconds;
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
}
