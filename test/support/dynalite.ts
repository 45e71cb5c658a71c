import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import {
  type IndexDefinition,
  TABLES,
  type TableId,
  type TableNames,
} from '../../lambdas/shared/adapters/dynamodb/tables.ts';

export interface TestDynamo {
  client: DynamoDBClient;
  tableNames: TableNames;
  close(): Promise<void>;
}

/** Starts an in-memory dynalite on a free loopback port and creates every table of TABLES under a unique prefix. */
export async function startDynamo(): Promise<TestDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'local',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const prefix = `t${Date.now().toString(36)}`;
  const tableNames = {} as TableNames;
  for (const [id, def] of Object.entries(TABLES) as [TableId, (typeof TABLES)[TableId]][]) {
    const name = `${prefix}-${id}`;
    const keys: KeySchemaElement[] = [{ AttributeName: def.partitionKey, KeyType: 'HASH' }];
    const attributes: { AttributeName: string; AttributeType: 'S' }[] = [
      { AttributeName: def.partitionKey, AttributeType: 'S' },
    ];
    if ('sortKey' in def) {
      keys.push({ AttributeName: def.sortKey, KeyType: 'RANGE' });
      attributes.push({ AttributeName: def.sortKey, AttributeType: 'S' });
    }
    const indexes = Object.entries(('indexes' in def ? def.indexes : undefined) ?? {}).map(
      ([indexName, index]: [string, IndexDefinition]) => {
        attributes.push({ AttributeName: index.partitionKey, AttributeType: 'S' });
        const defined = new Set(attributes.map((attribute) => attribute.AttributeName));
        if (index.sortKey && !defined.has(index.sortKey)) {
          attributes.push({ AttributeName: index.sortKey, AttributeType: 'S' });
        }
        return {
          IndexName: indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
            ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' as const }] : []),
          ],
          // DynamoDB refuses INCLUDE with no attributes: an index of keys alone is KEYS_ONLY.
          Projection: index.projectedAttributes.length
            ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projectedAttributes] }
            : { ProjectionType: 'KEYS_ONLY' as const },
        };
      },
    );
    await client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: keys,
        AttributeDefinitions: attributes,
        BillingMode: 'PAY_PER_REQUEST',
        ...(indexes.length ? { GlobalSecondaryIndexes: indexes } : {}),
      }),
    );
    tableNames[id] = name;
  }
  return {
    client,
    tableNames,
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
