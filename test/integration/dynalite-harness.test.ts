import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../lambdas/shared/adapters/dynamodb/tables.ts';
import { startDynamo, type TestDynamo } from '../support/dynalite.ts';

describe('dynalite test harness', () => {
  let dynamo: TestDynamo;
  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(async () => dynamo.close());

  it('creates every table with the declared keys', async () => {
    for (const [id, def] of Object.entries(TABLES)) {
      const name = dynamo.tableNames[id as keyof typeof TABLES];
      const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: name }));
      expect(Table?.KeySchema?.[0]).toEqual({ AttributeName: def.partitionKey, KeyType: 'HASH' });
      expect(Table?.KeySchema?.[1]?.AttributeName).toBe('sortKey' in def ? def.sortKey : undefined);
    }
  });
});
