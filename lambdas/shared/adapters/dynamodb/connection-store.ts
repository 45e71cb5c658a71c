import { createHash } from 'node:crypto';
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type Connection,
  ConnectionConflictError,
  type ConnectionListing,
  type ConnectionStatus,
  type ConnectionStore,
} from '../../ports/connection-store.ts';
import type { FeedSubscriber, SubscriberLookup } from '../../ports/subscriber-lookup.ts';
import type { SyncSchedule } from '../../ports/sync-schedule.ts';
import { allItems, attributes, conditionalWrite, type Item, itemKey, readItem } from './items.ts';
import { TABLES } from './tables.ts';

const { partitionKey } = TABLES.connections;
const SCHEDULE_INDEX = 'scheduled';
const { partitionKey: SHARD, projectedAttributes } = TABLES.connections.indexes[SCHEDULE_INDEX];
const [PAUSED_UNTIL] = projectedAttributes;
const FEED_INDEX = 'byFeed';
const { partitionKey: FEED_LOOKUP_KEY } = TABLES.connections.indexes[FEED_INDEX];
const ACCOUNT_INDEX = 'byGoogleAccount';
const { partitionKey: ACCOUNT_KEY } = TABLES.connections.indexes[ACCOUNT_INDEX];
/**
 * Shards of the scheduling index: one sweep each per interval, so a sweep stays small at a million subscribers
 * (about 4,000) and the sweeps spread over the interval. Part of the stored data: a connection keeps the shard it
 * was written with until its next write. Raising it needs no migration (a shard from a smaller count is still a
 * shard that is swept); lowering it would leave connections in shards no sweep reads.
 */
export const SCHEDULE_SHARDS = 256;
const ITEM_KIND = 'connection';
const STATUSES: readonly ConnectionStatus[] = ['connected', 'needs_reauth', 'feed_gone', 'calendar_missing'];

/** Connections in the `connections` table, one item per subscriber; also the schedule of the sync. */
export class DynamoConnectionStore
  implements ConnectionStore, ConnectionListing, SyncSchedule, SubscriberLookup
{
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(subscriberId: string): Promise<Connection | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyOf(subscriberId), ConsistentRead: true }),
    );
    return Item ? connectionFromItem(Item) : undefined;
  }

  async save(
    connection: Omit<Connection, 'version'>,
    expectedVersion: number | undefined,
  ): Promise<Connection> {
    const saved: Connection = { ...connection, version: (expectedVersion ?? 0) + 1 };
    const written = await conditionalWrite(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: itemFromConnection(saved),
          ...versionCondition(expectedVersion),
        }),
      ),
    );
    if (!written) throw new ConnectionConflictError(connection.subscriberId);
    return saved;
  }

  async markNeedsReauth(subscriberId: string, refusedCiphertext: string, at: Date): Promise<boolean> {
    const updated = await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(subscriberId),
          UpdateExpression:
            'SET #status = :needsReauth, #since = if_not_exists(#since, :at), #scheduled = :false, ' +
            '#updatedAt = :at ADD #version :one REMOVE #refresh, #shard',
          // Never re-creates a connection that a disconnect removed meanwhile (the item must exist to hold the
          // ciphertext), and never scrubs a token a reconnect stored after the refused one was read.
          ConditionExpression: 'attribute_exists(#pk) AND #refresh = :refused',
          ExpressionAttributeNames: {
            '#pk': partitionKey,
            '#status': 'status',
            '#since': 'needsReauthSince',
            '#scheduled': 'scheduled',
            '#updatedAt': 'updatedAt',
            '#version': 'version',
            '#refresh': 'refreshTokenCiphertext',
            '#shard': SHARD,
          },
          ExpressionAttributeValues: attributes({
            ':needsReauth': 'needs_reauth',
            ':at': at.toISOString(),
            ':false': false,
            ':one': 1,
            ':refused': refusedCiphertext,
          }),
        }),
      ),
    );
    return updated !== undefined;
  }

  /**
   * A query of each shard of the sparse `scheduled` index, all shards at once, rather than a (parallel) scan of
   * the table: the index holds only the connections to sync, each as its key and pause time (~100 bytes), so a
   * tick reads a few bytes per eligible subscriber instead of every whole item (ciphertexts included, needs
   * re-authorisation ones too) of the table, 96 times a day. The price is one index write per connection
   * write, and connections are written rarely. Paused connections are filtered out (they are few).
   */
  async *due(now: Date): AsyncIterable<string[]> {
    const shards = Array.from({ length: SCHEDULE_SHARDS }, (_, shard) => this.shardPages(shard, now));
    // Every shard is paged concurrently: the next page of each is asked for as soon as its previous one came.
    const pending = new Map(shards.map((pages, shard) => [shard, nextOf(pages, shard)]));
    while (pending.size > 0) {
      const { shard, page } = await Promise.race(pending.values());
      if (page.done) {
        pending.delete(shard);
        continue;
      }
      pending.set(shard, nextOf(shards[shard] as AsyncIterator<string[]>, shard));
      if (page.value.length > 0) yield page.value;
    }
  }

  async pause(subscriberId: string, until: Date): Promise<void> {
    // Not versioned: a hint the scheduler reads. A save racing it may drop it, which costs one cheap run.
    await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(subscriberId),
          UpdateExpression: 'SET #paused = :until',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': partitionKey, '#paused': PAUSED_UNTIL },
          ExpressionAttributeValues: attributes({ ':until': until.toISOString() }),
        }),
      ),
    );
  }

  private async *shardPages(shard: number, now: Date): AsyncIterator<string[]> {
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: SCHEDULE_INDEX,
          KeyConditionExpression: '#shard = :shard',
          FilterExpression: 'attribute_not_exists(#paused) OR #paused <= :now',
          ProjectionExpression: '#pk',
          ExpressionAttributeNames: { '#shard': SHARD, '#paused': PAUSED_UNTIL, '#pk': partitionKey },
          ExpressionAttributeValues: attributes({ ':shard': shardName(shard), ':now': now.toISOString() }),
          ExclusiveStartKey: startKey,
        }),
      );
      yield (page.Items ?? []).map(subscriberIdOf);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** One query of the `byFeed` index (eventually consistent: a connect a second old may not be found yet). */
  async byFeedLookupKey(feedLookupKey: string): Promise<FeedSubscriber | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: FEED_INDEX,
        KeyConditionExpression: '#key = :key',
        ProjectionExpression: '#pk, #status',
        ExpressionAttributeNames: { '#key': FEED_LOOKUP_KEY, '#pk': partitionKey, '#status': 'status' },
        ExpressionAttributeValues: attributes({ ':key': feedLookupKey }),
        Limit: 2,
      }),
    );
    const [item] = Items;
    if (!item) return undefined;
    const read = readItem(item, ITEM_KIND);
    return {
      subscriberId: read.string(partitionKey),
      connected: read.optionalString('status') === 'connected',
    };
  }

  async remove(subscriberId: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyOf(subscriberId) }));
  }

  async noteFeedGone(subscriberId: string, at: Date): Promise<string | undefined> {
    const updated = await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(subscriberId),
          UpdateExpression: 'SET #since = if_not_exists(#since, :at)',
          ConditionExpression: 'attribute_exists(#pk) AND #status = :connected',
          ExpressionAttributeNames: { '#pk': partitionKey, '#status': 'status', '#since': 'feedGoneSince' },
          ExpressionAttributeValues: attributes({ ':at': at.toISOString(), ':connected': 'connected' }),
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return updated?.Attributes && readItem(updated.Attributes, ITEM_KIND).optionalString('feedGoneSince');
  }

  async clearFeedGone(subscriberId: string): Promise<void> {
    await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(subscriberId),
          UpdateExpression: 'REMOVE #since',
          // Never re-creates a removed connection, and costs nothing when there is no run to end.
          ConditionExpression: 'attribute_exists(#since)',
          ExpressionAttributeNames: { '#since': 'feedGoneSince' },
        }),
      ),
    );
  }

  async markFeedGone(
    subscriberId: string,
    since: string,
    refreshCiphertext: string,
    at: Date,
  ): Promise<boolean> {
    return this.stopConnected(subscriberId, {
      status: 'feed_gone',
      match: { field: 'feedGoneSince', value: since },
      refreshCiphertext,
      at,
    });
  }

  async markCalendarMissing(
    subscriberId: string,
    calendarId: string,
    refreshCiphertext: string,
    at: Date,
  ): Promise<boolean> {
    // A reconnect writes another calendar and another token: it is left alone, and so is a removed item.
    return this.stopConnected(subscriberId, {
      status: 'calendar_missing',
      match: { field: 'calendarId', value: calendarId },
      stampAt: 'calendarMissingSince',
      refreshCiphertext,
      at,
    });
  }

  /**
   * Stops a connection for good (a status other than connected, off the schedule, its refresh token gone, the
   * version bumped), only while it is still the one the caller read: connected, with this refresh token and
   * `match`. `stampAt`: a field that records `at` too. False when the condition failed (nothing written).
   */
  private async stopConnected(
    subscriberId: string,
    stop: {
      status: Exclude<ConnectionStatus, 'connected'>;
      match: { field: keyof Connection; value: string };
      stampAt?: keyof Connection;
      refreshCiphertext: string;
      at: Date;
    },
  ): Promise<boolean> {
    const updated = await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(subscriberId),
          UpdateExpression:
            `SET #status = :status, #scheduled = :false, #updatedAt = :at${stop.stampAt ? ', #stamp = :at' : ''} ` +
            'ADD #version :one REMOVE #refresh, #shard',
          ConditionExpression: '#status = :connected AND #match = :match AND #refresh = :refresh',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#match': stop.match.field,
            ...(stop.stampAt ? { '#stamp': stop.stampAt } : {}),
            '#scheduled': 'scheduled',
            '#updatedAt': 'updatedAt',
            '#version': 'version',
            '#refresh': 'refreshTokenCiphertext',
            '#shard': SHARD,
          },
          ExpressionAttributeValues: attributes({
            ':status': stop.status,
            ':connected': 'connected',
            ':match': stop.match.value,
            ':refresh': stop.refreshCiphertext,
            ':false': false,
            ':at': stop.at.toISOString(),
            ':one': 1,
          }),
        }),
      ),
    );
    return updated !== undefined;
  }

  async *all(): AsyncIterable<Connection> {
    const items = allItems((startKey) =>
      this.client.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey })),
    );
    for await (const item of items) yield connectionFromItem(item);
  }

  async *listCalendarMissingSince(cutoff: Date): AsyncIterable<string> {
    const items = allItems((startKey) =>
      this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#status = :missing AND #since < :cutoff',
          ProjectionExpression: '#pk',
          ExpressionAttributeNames: {
            '#pk': partitionKey,
            '#status': 'status',
            '#since': 'calendarMissingSince',
          },
          ExpressionAttributeValues: attributes({
            ':missing': 'calendar_missing',
            ':cutoff': cutoff.toISOString(),
          }),
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    for await (const item of items) yield subscriberIdOf(item);
  }

  async *listFeedGoneSince(cutoff: Date): AsyncIterable<string> {
    const items = allItems((startKey) =>
      this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#status = :feedGone AND #since < :cutoff',
          ProjectionExpression: '#pk',
          ExpressionAttributeNames: { '#pk': partitionKey, '#status': 'status', '#since': 'feedGoneSince' },
          ExpressionAttributeValues: attributes({
            ':feedGone': 'feed_gone',
            ':cutoff': cutoff.toISOString(),
          }),
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    for await (const item of items) yield subscriberIdOf(item);
  }

  async removeVersion(subscriberId: string, expectedVersion: number | undefined): Promise<void> {
    const removed = await conditionalWrite(
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyOf(subscriberId),
          ...versionCondition(expectedVersion, { orGone: true }),
        }),
      ),
    );
    if (!removed) throw new ConnectionConflictError(subscriberId);
  }

  async othersOfGoogleAccount(googleAccountKey: string, exceptSubscriberId: string): Promise<string[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: ACCOUNT_INDEX,
        KeyConditionExpression: '#key = :key',
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#key': ACCOUNT_KEY, '#pk': partitionKey },
        ExpressionAttributeValues: attributes({ ':key': googleAccountKey }),
        Limit: 3,
      }),
    );
    return Items.map(subscriberIdOf).filter((subscriberId) => subscriberId !== exceptSubscriberId);
  }

  /**
   * A filtered scan: the retention job runs daily and touches few items, so it does not justify an index.
   * (The `needsReauthSince` strings are ISO 8601 in UTC, so they compare in time order.)
   */
  async *listNeedsReauthSince(cutoff: Date): AsyncIterable<string> {
    const items = allItems((startKey) =>
      this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#status = :needsReauth AND #since < :cutoff',
          ProjectionExpression: '#pk',
          ExpressionAttributeNames: {
            '#pk': partitionKey,
            '#status': 'status',
            '#since': 'needsReauthSince',
          },
          ExpressionAttributeValues: attributes({
            ':needsReauth': 'needs_reauth',
            ':cutoff': cutoff.toISOString(),
          }),
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    for await (const item of items) yield subscriberIdOf(item);
  }
}

/**
 * The condition of a versioned write: the stored connection is still `expectedVersion`, or none is stored when it
 * is undefined. `orGone`: also when the connection is no longer stored (a removal that found it already removed).
 */
function versionCondition(expectedVersion: number | undefined, options: { orGone?: boolean } = {}) {
  if (expectedVersion === undefined) {
    return {
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': partitionKey },
    };
  }
  return {
    ConditionExpression: options.orGone
      ? 'attribute_not_exists(#pk) OR #version = :expected'
      : '#version = :expected',
    ExpressionAttributeNames: options.orGone
      ? { '#pk': partitionKey, '#version': 'version' }
      : { '#version': 'version' },
    ExpressionAttributeValues: attributes({ ':expected': expectedVersion }),
  };
}

const keyOf = (subscriberId: string): Item => itemKey(TABLES.connections, subscriberId);

const subscriberIdOf = (item: Item): string => readItem(item, ITEM_KIND).string(partitionKey);

const shardName = (shard: number) => String(shard);

/** A subscriber's shard of the scheduling index: stable, and spread evenly by a hash. */
export function scheduleShardOf(subscriberId: string): number {
  return createHash('sha256').update(subscriberId).digest().readUInt32BE(0) % SCHEDULE_SHARDS;
}

const shardOf = (subscriberId: string): string => shardName(scheduleShardOf(subscriberId));

function nextOf(pages: AsyncIterator<string[]>, shard: number) {
  return pages.next().then((page) => ({ shard, page }));
}

/** The connection's fields stored as they are, under their own names, when set. */
const OPTIONAL_FIELDS = [
  'refreshTokenCiphertext',
  'needsReauthSince',
  'feedGoneSince',
  'calendarMissingSince',
  PAUSED_UNTIL,
  FEED_LOOKUP_KEY,
  ACCOUNT_KEY,
  'googleAccountChangedAt',
  'abandonedCalendarId',
  'operatorPausedAt',
] as const satisfies readonly (keyof Connection)[];

function itemFromConnection(connection: Connection): Item {
  return attributes({
    [partitionKey]: connection.subscriberId,
    status: connection.status,
    calendarId: connection.calendarId,
    feedTokenCiphertext: connection.feedTokenCiphertext,
    eventIdSalt: connection.eventIdSalt,
    grantedScopes: connection.grantedScopes,
    connectedAt: connection.connectedAt,
    updatedAt: connection.updatedAt,
    scheduled: connection.scheduled,
    version: connection.version,
    ...Object.fromEntries(OPTIONAL_FIELDS.map((field) => [field, connection[field]])),
    // The sparse index holds exactly the connections the scheduler enqueues.
    [SHARD]:
      connection.status === 'connected' && connection.scheduled
        ? shardOf(connection.subscriberId)
        : undefined,
  });
}

/** A connection from its stored item (also read by the sweep's batch reads). */
export function connectionFromItem(item: Item): Connection {
  const read = readItem(item, ITEM_KIND);
  const status = read.string('status') as ConnectionStatus;
  if (!STATUSES.includes(status)) throw new Error(`connection item with unknown status ${status}`);
  const connection: Connection = {
    subscriberId: read.string(partitionKey),
    status,
    calendarId: read.string('calendarId'),
    feedTokenCiphertext: read.string('feedTokenCiphertext'),
    eventIdSalt: read.string('eventIdSalt'),
    grantedScopes: read.string('grantedScopes'),
    connectedAt: read.string('connectedAt'),
    updatedAt: read.string('updatedAt'),
    scheduled: read.optionalBoolean('scheduled') ?? false,
    version: read.optionalNumber('version') ?? 0,
  };
  for (const field of OPTIONAL_FIELDS) {
    const value = read.optionalString(field);
    if (value !== undefined) connection[field] = value;
  }
  return connection;
}
