import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { NonceStore } from '../../ports/nonce-store.ts';
import { attributes, conditionalWrite } from './items.ts';
import { TABLES } from './tables.ts';

const { partitionKey, ttlAttribute } = TABLES.hostNonces;

/**
 * Used nonces in the `hostNonces` table: a conditional put, so of two requests with the same nonce exactly one
 * gets through. Items expire through the TTL attribute; an expired item still present (TTL lags) refuses its
 * nonce, which is harmless: its timestamp is out of range by then anyway.
 */
export class DynamoNonceStore implements NonceStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async claim(nonce: string, expiresAt: number): Promise<boolean> {
    const written = await conditionalWrite(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: attributes({ [partitionKey]: nonce, [ttlAttribute]: expiresAt }),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': partitionKey },
        }),
      ),
    );
    return written !== undefined;
  }
}
