import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ensureTables } from '../../dev/local-aws/dynamo-tables.ts';
import type { TableNames } from '../../lambdas/shared/adapters/dynamodb/tables.ts';

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
  const tableNames = await ensureTables(client, `t${Date.now().toString(36)}`);
  return {
    client,
    tableNames,
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
