import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { StoredValidators } from '../../domain/feed-check.ts';
import type { CheckStateWriter } from '../../ports/sweep-source.ts';
import { attributes, conditionalWrite, itemKey } from './items.ts';
import { SWEPT_AT, sweepRecordKey } from './sync-state-store.ts';
import { TABLES } from './tables.ts';

/**
 * The check's only writes to the sync-state table: the validators of an unchanged feed (conditional on the feed
 * hash the check compared, so it never overwrites what a run stored meanwhile, and never creates an item), and a
 * shard's sweep record (read by DynamoSyncStateStore.lastSweptFor). Updates only.
 */
export class DynamoCheckStateWriter implements CheckStateWriter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async refreshValidators(
    subscriberId: string,
    feedHash: string,
    validators: StoredValidators,
  ): Promise<boolean> {
    const fields = {
      feedEtag: validators.feedEtag,
      feedLastModified: validators.feedLastModified,
      feedValidatedFor: validators.feedValidatedFor,
    };
    const set = Object.entries(fields).filter(([, value]) => value !== undefined);
    const remove = Object.entries(fields).filter(([, value]) => value === undefined);
    const expression = [
      set.length ? `SET ${set.map(([name]) => `#${name} = :${name}`).join(', ')}` : '',
      remove.length ? `REMOVE ${remove.map(([name]) => `#${name}`).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const written = await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: itemKey(TABLES.syncState, subscriberId),
          UpdateExpression: expression,
          ConditionExpression: '#feedHash = :feedHash',
          ExpressionAttributeNames: {
            '#feedHash': 'feedHash',
            ...Object.fromEntries(Object.keys(fields).map((name) => [`#${name}`, name])),
          },
          ExpressionAttributeValues: attributes({
            ':feedHash': feedHash,
            ...Object.fromEntries(set.map(([name, value]) => [`:${name}`, value])),
          }),
        }),
      ),
    );
    return written !== undefined;
  }

  async recordSweep(shard: number, sweptAt: Date): Promise<void> {
    // A sweep that ends before a later one finished (a slow continuation) does not move the time back.
    await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: itemKey(TABLES.syncState, sweepRecordKey(shard)),
          UpdateExpression: 'SET #sweptAt = :sweptAt',
          ConditionExpression: 'attribute_not_exists(#sweptAt) OR #sweptAt < :sweptAt',
          ExpressionAttributeNames: { '#sweptAt': SWEPT_AT },
          ExpressionAttributeValues: attributes({ ':sweptAt': sweptAt.toISOString() }),
        }),
      ),
    );
  }
}
