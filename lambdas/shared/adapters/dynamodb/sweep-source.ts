import {
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  type KeysAndAttributes,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { CheckedSubscriber, SweepPage, SweepSource } from '../../ports/sweep-source.ts';
import { connectionFromItem } from './connection-store.ts';
import { attributes, itemKey, readItem } from './items.ts';
import { LEASE_UNTIL, PROJECT_QUOTA_KEY, stateFromItem } from './sync-state-store.ts';
import { TABLES } from './tables.ts';

const SCHEDULE_INDEX = 'scheduled';
const { partitionKey: SHARD, projectedAttributes } = TABLES.connections.indexes[SCHEDULE_INDEX];
const [PAUSED_UNTIL] = projectedAttributes;
const { partitionKey } = TABLES.connections;
const SUBSCRIBER_KEY = TABLES.syncState.partitionKey;
/** Index entries read per page: two BatchGetItem calls' worth of subscribers (100 keys each, two per subscriber). */
const SWEEP_PAGE_SIZE = 100;
/** BatchGetItem takes at most 100 keys: a connection and a sync state per subscriber. */
const SUBSCRIBERS_PER_BATCH = 50;
/** Rounds of BatchGetItem for the keys DynamoDB left unprocessed (it does under throttling) before giving up. */
const MAX_BATCH_ROUNDS = 8;

/**
 * The sweep's reads, all eventually consistent (half the read units of a strong read): a page of one shard of the
 * sparse `scheduled` index, then the connection and sync-state items of that page in BatchGetItem calls.
 * Read-only by construction, so the check's grant on the connections table is too.
 */
export class DynamoSweepSource implements SweepSource {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: { connections: string; syncState: string },
    private readonly options: { pageSize?: number; retryPauseMs?: number } = {},
  ) {}

  async page(shard: number, now: Date, after: string | undefined): Promise<SweepPage> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tables.connections,
        IndexName: SCHEDULE_INDEX,
        KeyConditionExpression: after ? '#shard = :shard AND #pk > :after' : '#shard = :shard',
        FilterExpression: 'attribute_not_exists(#paused) OR #paused <= :now',
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#shard': SHARD, '#paused': PAUSED_UNTIL, '#pk': partitionKey },
        ExpressionAttributeValues: attributes({
          ':shard': String(shard),
          ':now': now.toISOString(),
          ...(after ? { ':after': after } : {}),
        }),
        Limit: this.options.pageSize ?? SWEEP_PAGE_SIZE,
      }),
    );
    const subscriberIds = (page.Items ?? []).map((item) => readItem(item, 'connection').string(partitionKey));
    // The last id the query looked at, not the last it returned: the filter may have dropped it.
    const last = page.LastEvaluatedKey
      ? readItem(page.LastEvaluatedKey, 'connection').string(partitionKey)
      : undefined;
    return last ? { subscriberIds, next: last } : { subscriberIds };
  }

  async read(subscriberIds: string[]): Promise<Map<string, CheckedSubscriber>> {
    const found = new Map<string, CheckedSubscriber>(subscriberIds.map((id) => [id, {}]));
    const batches: string[][] = [];
    for (let start = 0; start < subscriberIds.length; start += SUBSCRIBERS_PER_BATCH)
      batches.push(subscriberIds.slice(start, start + SUBSCRIBERS_PER_BATCH));
    await Promise.all(batches.map((batch) => this.readBatch(batch, found)));
    return found;
  }

  async dailyLimitUntil(): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tables.syncState,
        Key: itemKey(TABLES.syncState, PROJECT_QUOTA_KEY),
      }),
    );
    return Item ? readItem(Item, 'project quota').optionalString('dailyLimitUntil') : undefined;
  }

  private async readBatch(subscriberIds: string[], found: Map<string, CheckedSubscriber>): Promise<void> {
    const { connections, syncState } = this.tables;
    let requested: Record<string, KeysAndAttributes> = {
      [connections]: { Keys: subscriberIds.map((id) => itemKey(TABLES.connections, id)) },
      [syncState]: { Keys: subscriberIds.map((id) => itemKey(TABLES.syncState, id)) },
    };
    for (let round = 1; ; round++) {
      const { Responses = {}, UnprocessedKeys = {} } = await this.client.send(
        new BatchGetItemCommand({ RequestItems: requested }),
      );
      for (const item of Responses[connections] ?? []) {
        const connection = connectionFromItem(item);
        const entry = found.get(connection.subscriberId);
        if (entry) entry.connection = connection;
      }
      for (const item of Responses[syncState] ?? []) {
        const read = readItem(item, 'sync state');
        const subscriberId = read.string(SUBSCRIBER_KEY);
        const entry = found.get(subscriberId);
        if (!entry) continue;
        entry.state = stateFromItem(subscriberId, item);
        const leaseUntil = read.optionalNumber(LEASE_UNTIL);
        if (leaseUntil !== undefined) entry.runUntil = new Date(leaseUntil).toISOString();
      }
      if (Object.values(UnprocessedKeys).every((keys) => !keys.Keys?.length)) return;
      if (round >= MAX_BATCH_ROUNDS)
        throw new Error('DynamoDB left keys of a sweep page unprocessed after every retry');
      requested = UnprocessedKeys;
      // DynamoDB leaves keys unprocessed when throttled: back off before asking again.
      await pause(Math.min(2_000, (this.options.retryPauseMs ?? 50) * 2 ** round));
    }
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
