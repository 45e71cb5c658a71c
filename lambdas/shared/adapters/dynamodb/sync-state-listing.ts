import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { SyncState } from '../../ports/sync-stores.ts';
import { allItems, readItem } from './items.ts';
import { PROJECT_QUOTA_KEY, stateFromItem } from './sync-state-store.ts';
import { TABLES } from './tables.ts';

/**
 * Every sync state, read with Scan for the operator's statistics. A class apart from DynamoSyncStateStore so
 * that no function's role needs Scan on the table (the stack grants each function what its adapters send).
 */
export class DynamoSyncStateListing {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async *all(): AsyncIterable<SyncState> {
    const { partitionKey } = TABLES.syncState;
    const items = allItems((startKey) =>
      this.client.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey })),
    );
    for await (const item of items) {
      const subscriberId = readItem(item, 'sync state').string(partitionKey);
      if (subscriberId !== PROJECT_QUOTA_KEY) yield stateFromItem(subscriberId, item);
    }
  }
}
