import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type Connection,
  ConnectionConflictError,
  type ConnectionStatus,
  type ConnectionStore,
} from '../../ports/connection-store.ts';
import { allItems, conditionalWrite, type Item, itemKey, stringAttribute } from './items.ts';
import { TABLES } from './tables.ts';

const { partitionKey } = TABLES.connections;
const ITEM_KIND = 'connection';
const STATUSES: readonly ConnectionStatus[] = ['connected', 'needs_reauth'];

/** Connections in the `connections` table, one item per subscriber. */
export class DynamoConnectionStore implements ConnectionStore {
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
          ...(expectedVersion === undefined
            ? {
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': partitionKey },
              }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
              }),
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
            '#updatedAt = :at ADD #version :one REMOVE #refresh',
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
          },
          ExpressionAttributeValues: {
            ':needsReauth': { S: 'needs_reauth' },
            ':at': { S: at.toISOString() },
            ':false': { BOOL: false },
            ':one': { N: '1' },
            ':refused': { S: refusedCiphertext },
          },
        }),
      ),
    );
    return updated !== undefined;
  }

  async remove(subscriberId: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyOf(subscriberId) }));
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
          ExpressionAttributeValues: {
            ':needsReauth': { S: 'needs_reauth' },
            ':cutoff': { S: cutoff.toISOString() },
          },
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    for await (const item of items) yield stringAttribute(item, partitionKey, ITEM_KIND);
  }
}

const keyOf = (subscriberId: string): Item => itemKey(TABLES.connections, subscriberId);

function itemFromConnection(connection: Connection): Item {
  const item: Item = {
    ...keyOf(connection.subscriberId),
    status: { S: connection.status },
    calendarId: { S: connection.calendarId },
    feedTokenCiphertext: { S: connection.feedTokenCiphertext },
    eventIdSalt: { S: connection.eventIdSalt },
    grantedScopes: { S: connection.grantedScopes },
    connectedAt: { S: connection.connectedAt },
    updatedAt: { S: connection.updatedAt },
    scheduled: { BOOL: connection.scheduled },
    version: { N: String(connection.version) },
  };
  if (connection.refreshTokenCiphertext !== undefined) {
    item.refreshTokenCiphertext = { S: connection.refreshTokenCiphertext };
  }
  if (connection.needsReauthSince !== undefined) item.needsReauthSince = { S: connection.needsReauthSince };
  return item;
}

function connectionFromItem(item: Item): Connection {
  const text = (name: string): string => stringAttribute(item, name, ITEM_KIND);
  const status = text('status') as ConnectionStatus;
  if (!STATUSES.includes(status)) throw new Error(`connection item with unknown status ${status}`);
  const connection: Connection = {
    subscriberId: text(partitionKey),
    status,
    calendarId: text('calendarId'),
    feedTokenCiphertext: text('feedTokenCiphertext'),
    eventIdSalt: text('eventIdSalt'),
    grantedScopes: text('grantedScopes'),
    connectedAt: text('connectedAt'),
    updatedAt: text('updatedAt'),
    scheduled: item.scheduled?.BOOL ?? false,
    version: Number(item.version?.N ?? '0'),
  };
  if (item.refreshTokenCiphertext?.S !== undefined)
    connection.refreshTokenCiphertext = item.refreshTokenCiphertext.S;
  if (item.needsReauthSince?.S !== undefined) connection.needsReauthSince = item.needsReauthSince.S;
  return connection;
}
