import { createHash } from 'node:crypto';
import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  QueryCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { SafeMessageError } from '../../errors.ts';
import type { EventMapRow, EventMapStore } from '../../ports/sync-stores.ts';
import { allItems, attributes, type Item, itemKey, readItem } from './items.ts';
import { TABLES } from './tables.ts';

/** DynamoDB takes at most 25 writes per BatchWriteItem. */
const BATCH_SIZE = 25;
const { partitionKey, sortKey } = TABLES.eventMap;
/** DynamoDB refuses sort keys over 1,024 bytes; longer event keys (very long UIDs) are stored under a digest. */
const MAX_SORT_KEY_BYTES = 1024;
/** Holds the readable event key of an item stored under a digest. */
const FULL_KEY = 'fullKey';
const ITEM_KIND = 'event map';

export interface DynamoEventMapStoreOptions {
  /** Tries per batch before giving up on items DynamoDB left unprocessed (throttling). */
  maxBatchAttempts?: number;
  /** First pause before resending unprocessed items; doubles on each try. */
  retryBaseDelayMs?: number;
}

class UnprocessedWritesError extends SafeMessageError {
  constructor(readonly remaining: number) {
    super(`DynamoDB left ${remaining} event map writes unprocessed after every retry`);
    this.name = 'UnprocessedWritesError';
  }
}

/** The event map in the `eventMap` table: one item per (subscriberId, eventKey). */
export class DynamoEventMapStore implements EventMapStore {
  private readonly maxBatchAttempts: number;
  private readonly retryBaseDelayMs: number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: DynamoEventMapStoreOptions = {},
  ) {
    this.maxBatchAttempts = options.maxBatchAttempts ?? 8;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 50;
  }

  async list(subscriberId: string): Promise<EventMapRow[]> {
    const rows: EventMapRow[] = [];
    for await (const item of this.query(subscriberId)) rows.push(rowFromItem(item));
    return rows;
  }

  async put(subscriberId: string, rows: EventMapRow[]): Promise<void> {
    // One batch may not touch the same key twice: the last row for a key wins.
    const byKey = new Map(rows.map((row) => [storedKey(row.eventKey), row]));
    await this.writeAll(
      [...byKey.values()].map((row) => ({ PutRequest: { Item: itemFromRow(subscriberId, row) } })),
    );
  }

  async remove(subscriberId: string, eventKeys: string[]): Promise<void> {
    await this.writeAll(
      [...new Set(eventKeys.map(storedKey))].map((key) => ({
        DeleteRequest: { Key: keyOf(subscriberId, key) },
      })),
    );
  }

  async removeAll(subscriberId: string): Promise<void> {
    const requests: WriteRequest[] = [];
    for await (const item of this.query(subscriberId, true)) {
      requests.push({
        DeleteRequest: { Key: keyOf(subscriberId, readItem(item, ITEM_KIND).string(sortKey)) },
      });
    }
    await this.writeAll(requests);
  }

  private query(subscriberId: string, keysOnly = false): AsyncGenerator<Item> {
    return allItems((startKey) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: keysOnly
            ? { '#pk': partitionKey, '#sk': sortKey }
            : { '#pk': partitionKey },
          ExpressionAttributeValues: attributes({ ':pk': subscriberId }),
          ...(keysOnly ? { ProjectionExpression: '#sk' } : {}),
          // A rerun right after a crash must see every row the crashed run wrote.
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
  }

  private async writeAll(requests: WriteRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_SIZE) {
      await this.writeBatch(requests.slice(i, i + BATCH_SIZE));
    }
  }

  private async writeBatch(batch: WriteRequest[]): Promise<void> {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= this.maxBatchAttempts) throw new UnprocessedWritesError(pending.length);
      if (attempt > 0) await delay(this.retryBaseDelayMs * 2 ** (attempt - 1));
      const { UnprocessedItems } = await this.client.send(
        new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } }),
      );
      pending = UnprocessedItems?.[this.tableName] ?? [];
    }
  }
}

/**
 * The sort key an event key is stored under: itself when DynamoDB takes it, else `h:` and its SHA-256 (a key
 * that short is never over-long, so the two forms never meet).
 */
function storedKey(eventKey: string): string {
  if (Buffer.byteLength(eventKey, 'utf8') <= MAX_SORT_KEY_BYTES) return eventKey;
  return `h:${createHash('sha256').update(eventKey, 'utf8').digest('hex')}`;
}

const keyOf = (subscriberId: string, stored: string): Item => itemKey(TABLES.eventMap, subscriberId, stored);

function itemFromRow(subscriberId: string, row: EventMapRow): Item {
  const stored = storedKey(row.eventKey);
  return attributes({
    [partitionKey]: subscriberId,
    [sortKey]: stored,
    [FULL_KEY]: stored !== row.eventKey ? row.eventKey : undefined,
    googleId: row.googleId,
    hash: row.hash,
    updatedAt: row.updatedAt,
    seriesKey: row.seriesKey,
    endsAt: row.endsAt,
    ownGoogleId: row.ownGoogleId,
    signature: row.signature,
    // A refused write's back-off, flat: the three attributes are there together or not at all.
    refusedCount: row.refusal?.count,
    retryAfter: row.refusal?.retryAfter,
    refusedHash: row.refusal?.hash,
  });
}

function rowFromItem(item: Item): EventMapRow {
  const read = readItem(item, ITEM_KIND);
  const row: EventMapRow = {
    eventKey: read.optionalString(FULL_KEY) ?? read.string(sortKey),
    googleId: read.string('googleId'),
    hash: read.string('hash'),
    updatedAt: read.string('updatedAt'),
  };
  const seriesKey = read.optionalString('seriesKey');
  if (seriesKey !== undefined) row.seriesKey = seriesKey;
  const endsAt = read.optionalString('endsAt');
  if (endsAt !== undefined) row.endsAt = endsAt;
  if (read.optionalBoolean('ownGoogleId') === true) row.ownGoogleId = true;
  const signature = read.optionalString('signature');
  if (signature !== undefined) row.signature = signature;
  const refusedCount = read.optionalNumber('refusedCount');
  const retryAfter = read.optionalString('retryAfter');
  const refusedHash = read.optionalString('refusedHash');
  if (refusedCount !== undefined && retryAfter !== undefined && refusedHash !== undefined) {
    row.refusal = { count: refusedCount, retryAfter, hash: refusedHash };
  }
  return row;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
