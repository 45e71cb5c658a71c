import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { TableNames } from '../../lambdas/shared/adapters/dynamodb/tables.ts';
import { listenOn } from '../listen.ts';
import { ensureTables } from './dynamo-tables.ts';

export interface LocalDynamo {
  client: DynamoDBClient;
  /** http://127.0.0.1:PORT: where another process of this machine (the operator's tool) reaches it. */
  endpoint: string;
  tableNames: TableNames;
  close(): Promise<void>;
}

/** Table names of the local run: `<prefix>-<id>`. */
const LOCAL_TABLE_PREFIX = 'ics-google-sync-dev';

/**
 * DynamoDB for the local run: dynalite on a free loopback port, its data kept in `folder` (LevelDB) across runs,
 * every table of the service created on first start.
 */
export async function startLocalDynamo(folder: string): Promise<LocalDynamo> {
  mkdirSync(folder, { recursive: true });
  const server = dynalite({ path: folder, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await listenOn(server, 0, 'DynamoDB (dynalite)');
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const close = async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  try {
    return { client, endpoint, tableNames: await ensureTables(client, LOCAL_TABLE_PREFIX), close };
  } catch (error) {
    await close();
    throw error;
  }
}
