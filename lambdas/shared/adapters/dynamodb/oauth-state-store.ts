import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ConsumedState, OAuthStateRecord, OAuthStateStore } from '../../ports/oauth-state-store.ts';
import { attributes, conditionalWrite, type Item, itemKey, readItem } from './items.ts';
import { TABLES } from './tables.ts';

const { partitionKey, ttlAttribute } = TABLES.oauthStates;

/**
 * OAuth states in the `oauthStates` table. Consuming is one conditional DeleteItem returning the old item, so it
 * is atomic without transactions (which dynalite lacks): only one of two concurrent deletes gets the item.
 */
export class DynamoOAuthStateStore implements OAuthStateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async put(record: OAuthStateRecord): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: attributes({
          [partitionKey]: record.stateHash,
          subscriberId: record.subscriberId,
          codeVerifier: record.codeVerifier,
          browserBindingHash: record.browserBindingHash,
          feedTokenCiphertext: record.feedTokenCiphertext,
          returnTo: record.returnTo,
          feedLookupKey: record.feedLookupKey || undefined,
          createdAt: record.createdAt,
          [ttlAttribute]: record.expiresAt,
        }),
        // 256 random bits never collide; the condition makes sure a bug never overwrites a live state.
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': partitionKey },
      }),
    );
  }

  async consume(stateHash: string, now: Date): Promise<ConsumedState> {
    const deleted = await conditionalWrite(
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: itemKey(TABLES.oauthStates, stateHash),
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    const old = deleted?.Attributes;
    if (!old) return { outcome: 'unknown' };
    const record = recordFromItem(old);
    // TTL removes expired items lazily (up to days later): the expiry is enforced here.
    return record.expiresAt * 1000 <= now.getTime()
      ? { outcome: 'expired', record }
      : { outcome: 'consumed', record };
  }
}

function recordFromItem(item: Item): OAuthStateRecord {
  const read = readItem(item, 'OAuth state');
  const feedLookupKey = read.optionalString('feedLookupKey');
  return {
    ...(feedLookupKey ? { feedLookupKey } : {}),
    stateHash: read.string(partitionKey),
    subscriberId: read.string('subscriberId'),
    codeVerifier: read.string('codeVerifier'),
    browserBindingHash: read.string('browserBindingHash'),
    feedTokenCiphertext: read.string('feedTokenCiphertext'),
    returnTo: read.string('returnTo'),
    createdAt: read.string('createdAt'),
    expiresAt: read.optionalNumber(ttlAttribute) ?? 0,
  };
}
