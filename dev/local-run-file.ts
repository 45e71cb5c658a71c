import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { TableNames } from '../lambdas/shared/adapters/dynamodb/tables.ts';

/**
 * Where a running `npm run dev` can be reached by the operator's tool (`npm run ops -- --local`): the local
 * DynamoDB and SQS endpoints, the tables and queues, and the API's base URL. Written into the data folder (next
 * to the local secrets) once everything listens, removed when the run stops. Only loopback addresses: the tool
 * then talks to the same stores through the same adapters as the functions.
 */
const LOCAL_RUN_FILE = 'local-run.json';

const localRunSchema = z.object({
  pid: z.number().int(),
  baseUrl: z.string().url(),
  dynamodbEndpoint: z.string().url(),
  sqsEndpoint: z.string().url(),
  // Every table of the run, by its name in TableNames (whatever tables the service has).
  tableNames: z.record(z.string(), z.string()),
  queueUrl: z.string(),
  deadLetterQueueUrl: z.string(),
  sweepQueueUrl: z.string(),
  /** The Google emulator's base URL; absent when the run uses real Google (its client is in the environment). */
  googleBaseUrl: z.string().optional(),
});

export type LocalRun = Omit<z.infer<typeof localRunSchema>, 'tableNames'> & { tableNames: TableNames };

export function writeLocalRunFile(dataDir: string, run: LocalRun): () => void {
  const file = path.join(dataDir, LOCAL_RUN_FILE);
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`, { mode: 0o600 });
  return () => {
    // Only our own: a second run on the same folder may have written its file meanwhile.
    if (readLocalRunFile(dataDir)?.pid === run.pid) rmSync(file, { force: true });
  };
}

/** The running local run of this data folder, if its file is there and readable. */
export function readLocalRunFile(dataDir: string): LocalRun | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dataDir, LOCAL_RUN_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = localRunSchema.safeParse(JSON.parse(text));
  return parsed.success ? (parsed.data as LocalRun) : undefined;
}
