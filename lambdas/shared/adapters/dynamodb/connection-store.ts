import {
  type AttributeValue,
  ConditionalCheckFailedException,
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
import { TABLES } from './tables.ts';

const { partitionKey } = TABLES.connections;
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
    try {
      await this.client.send(
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
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new ConnectionConflictError(connection.subscriberId);
      throw error;
    }
    return saved;
  }

  async markNeedsReauth(subscriberId: string, refusedCiphertext: string, at: Date): Promise<boolean> {
    try {
      await this.client.send(
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
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async remove(subscriberId: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyOf(subscriberId) }));
  }

  /**
   * A filtered scan: the retention job runs daily and touches few items, so it does not justify an index.
   * (The `needsReauthSince` strings are ISO 8601 in UTC, so they compare in time order.)
   */
  async *listNeedsReauthSince(cutoff: Date): AsyncIterable<string> {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
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
      );
      for (const item of page.Items ?? []) yield stringAttribute(item, partitionKey);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

function keyOf(subscriberId: string): Record<string, AttributeValue> {
  return { [partitionKey]: { S: subscriberId } };
}

function itemFromConnection(connection: Connection): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
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

function connectionFromItem(item: Record<string, AttributeValue>): Connection {
  const status = stringAttribute(item, 'status') as ConnectionStatus;
  if (!STATUSES.includes(status)) throw new Error(`connection item with unknown status ${status}`);
  const connection: Connection = {
    subscriberId: stringAttribute(item, partitionKey),
    status,
    calendarId: stringAttribute(item, 'calendarId'),
    feedTokenCiphertext: stringAttribute(item, 'feedTokenCiphertext'),
    eventIdSalt: stringAttribute(item, 'eventIdSalt'),
    grantedScopes: stringAttribute(item, 'grantedScopes'),
    connectedAt: stringAttribute(item, 'connectedAt'),
    updatedAt: stringAttribute(item, 'updatedAt'),
    scheduled: item.scheduled?.BOOL ?? false,
    version: Number(item.version?.N ?? '0'),
  };
  if (item.refreshTokenCiphertext?.S !== undefined)
    connection.refreshTokenCiphertext = item.refreshTokenCiphertext.S;
  if (item.needsReauthSince?.S !== undefined) connection.needsReauthSince = item.needsReauthSince.S;
  return connection;
}

function stringAttribute(item: Record<string, AttributeValue>, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new Error(`connection item without string attribute ${name}`);
  return value;
}
