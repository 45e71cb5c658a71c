import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type KeySchemaElement,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type IndexDefinition,
  TABLES,
  type TableDefinition,
  type TableId,
  type TableNames,
} from '../../lambdas/shared/adapters/dynamodb/tables.ts';

/** The CreateTable input of one of the service's tables (TABLES), as the stack defines it. */
function createTableInput(name: string, def: TableDefinition): CreateTableCommandInput {
  const keys: KeySchemaElement[] = [{ AttributeName: def.partitionKey, KeyType: 'HASH' }];
  const attributes: { AttributeName: string; AttributeType: 'S' }[] = [
    { AttributeName: def.partitionKey, AttributeType: 'S' },
  ];
  if (def.sortKey) {
    keys.push({ AttributeName: def.sortKey, KeyType: 'RANGE' });
    attributes.push({ AttributeName: def.sortKey, AttributeType: 'S' });
  }
  const indexes = Object.entries(def.indexes ?? {}).map(([indexName, index]: [string, IndexDefinition]) => {
    const defined = new Set(attributes.map((attribute) => attribute.AttributeName));
    if (!defined.has(index.partitionKey)) {
      attributes.push({ AttributeName: index.partitionKey, AttributeType: 'S' });
    }
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
  });
  return {
    TableName: name,
    KeySchema: keys,
    AttributeDefinitions: attributes,
    BillingMode: 'PAY_PER_REQUEST',
    ...(indexes.length ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}

/** Every table of TABLES named `<prefix>-<id>`, created unless it exists already (a persisted local database). */
export async function ensureTables(client: DynamoDBClient, prefix: string): Promise<TableNames> {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start);
  const tableNames = {} as TableNames;
  for (const [id, def] of Object.entries(TABLES) as [TableId, TableDefinition][]) {
    const name = `${prefix}-${id}`;
    if (!existing.has(name)) await client.send(new CreateTableCommand(createTableInput(name, def)));
    tableNames[id] = name;
  }
  return tableNames;
}
