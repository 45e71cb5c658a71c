import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ConsumedState, OAuthStateRecord, OAuthStateStore } from '../../ports/oauth-state-store.ts';
import { conditionalWrite, type Item, itemKey, stringAttribute } from './items.ts';
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
        Item: {
          ...itemKey(TABLES.oauthStates, record.stateHash),
          subscriberId: { S: record.subscriberId },
          codeVerifier: { S: record.codeVerifier },
          browserBindingHash: { S: record.browserBindingHash },
          feedTokenCiphertext: { S: record.feedTokenCiphertext },
          returnTo: { S: record.returnTo },
          ...(record.feedLookupKey ? { feedLookupKey: { S: record.feedLookupKey } } : {}),
          createdAt: { S: record.createdAt },
          [ttlAttribute]: { N: String(record.expiresAt) },
        },
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
  const text = (name: string): string => stringAttribute(item, name, 'OAuth state');
  return {
    ...(item.feedLookupKey?.S ? { feedLookupKey: item.feedLookupKey.S } : {}),
    stateHash: text(partitionKey),
    subscriberId: text('subscriberId'),
    codeVerifier: text('codeVerifier'),
    browserBindingHash: text('browserBindingHash'),
    feedTokenCiphertext: text('feedTokenCiphertext'),
    returnTo: text('returnTo'),
    createdAt: text('createdAt'),
    expiresAt: Number(item[ttlAttribute]?.N ?? '0'),
  };
}
