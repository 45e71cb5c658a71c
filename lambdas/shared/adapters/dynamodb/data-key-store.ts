import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SecretPurpose } from '../../ports/cipher.ts';
import type { DataKeyRecord, DataKeyStore } from '../../ports/data-key-store.ts';
import { attributes, conditionalWrite, itemKey, readItem } from './items.ts';
import { TABLES } from './tables.ts';

const PURPOSES: readonly SecretPurpose[] = ['feed_token', 'google_refresh_token'];

/** The item naming a purpose's active generation; `:` never occurs in a key id. */
const activeItemId = (purpose: SecretPurpose) => `active:${purpose}`;

/**
 * Data keys in the `dataKeys` table: an item per key (`keyId` = `<purpose>-<generation>`, the wrapped key,
 * `createdAt`, `state`) and per purpose an `active:<purpose>` item holding the active `generation`. A new key is
 * a conditional PutItem on a key id every container computes alike (the next generation), so containers that
 * rotate at once agree on one key: the first write wins and the others read it.
 */
export class DynamoDataKeyStore implements DataKeyStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async activeGeneration(purpose: SecretPurpose): Promise<number | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: itemKey(TABLES.dataKeys, activeItemId(purpose)),
        ConsistentRead: true,
      }),
    );
    return Item ? readItem(Item, 'active data key').optionalNumber('generation') : undefined;
  }

  async get(keyId: string): Promise<DataKeyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: itemKey(TABLES.dataKeys, keyId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const item = readItem(Item, 'data key');
    const purpose = item.string('purpose') as SecretPurpose;
    const generation = item.optionalNumber('generation');
    const state = item.string('state');
    if (
      !PURPOSES.includes(purpose) ||
      generation === undefined ||
      (state !== 'active' && state !== 'retired')
    ) {
      throw new Error('data key item with an unknown purpose, generation or state');
    }
    return {
      keyId: item.string('keyId'),
      purpose,
      generation,
      wrappedKey: item.string('wrappedKey'),
      createdAt: item.string('createdAt'),
      state,
    };
  }

  async create(record: DataKeyRecord): Promise<boolean> {
    const written = await conditionalWrite(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: attributes({ ...record }),
          ConditionExpression: 'attribute_not_exists(keyId)',
        }),
      ),
    );
    return written !== undefined;
  }

  async activate(purpose: SecretPurpose, generation: number): Promise<void> {
    // Refused when the pointer is already there or further: a slower container never moves it back.
    await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: itemKey(TABLES.dataKeys, activeItemId(purpose)),
          UpdateExpression: 'SET generation = :generation',
          ConditionExpression: 'attribute_not_exists(generation) OR generation < :generation',
          ExpressionAttributeValues: attributes({ ':generation': generation }),
        }),
      ),
    );
  }

  async retire(keyId: string): Promise<void> {
    await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: itemKey(TABLES.dataKeys, keyId),
          UpdateExpression: 'SET #state = :retired',
          ConditionExpression: 'attribute_exists(keyId)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: attributes({ ':retired': 'retired' }),
        }),
      ),
    );
  }
}
