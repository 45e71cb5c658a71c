import path from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DevLogger, type LogSink } from '../../dev/dev-logger.ts';
import { readLocalRunFile } from '../../dev/local-run-file.ts';
import { loadOrCreateSecrets } from '../../dev/local-secrets.ts';
import { EMULATOR_CLIENT } from '../../dev/service.ts';
import { serviceEnvironment } from '../../dev/service-env.ts';
import { DEFAULT_DATA_DIR } from '../../dev/settings.ts';
import { buildOAuthServices } from '../../lambdas/oauth/compose.ts';
import { parseOAuthConfig } from '../../lambdas/oauth/config.ts';
import type { OAuthDependencies } from '../../lambdas/oauth/dependencies.ts';
import { parseSchedulerConfig } from '../../lambdas/scheduler/config.ts';
import { DynamoConnectionStore } from '../../lambdas/shared/adapters/dynamodb/connection-store.ts';
import { DynamoSyncStateListing } from '../../lambdas/shared/adapters/dynamodb/sync-state-listing.ts';
import { DynamoSyncStateStore } from '../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';

/**
 * What the operator's commands work on: the OAuth function's services (built by the service's own composition
 * root from the function's own environment), the connection and sync-state stores with their operator reads,
 * and the two queues. Nothing here reads or writes a table in a way of its own.
 */
export interface OpsTarget {
  /** `local`, or the stage's name. */
  name: string;
  services: OAuthDependencies;
  connections: DynamoConnectionStore;
  syncStates: DynamoSyncStateStore;
  /** Every sync state (statistics): a Scan no function's role allows. */
  syncStateListing: DynamoSyncStateListing;
  sqs: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** The schedule's interval (SYNC_INTERVAL_MINUTES). */
  intervalSeconds: number;
  close(): void;
}

export class TargetError extends Error {
  override readonly name = 'TargetError';
}

export type TargetChoice = { kind: 'local'; dataDir?: string } | { kind: 'stage'; stage: string };

/** The stack of a stage, as bin/app.ts names it. */
export const stackNameOf = (stage: string) => `IcsGoogleSync-${stage}`;

export async function openTarget(
  choice: TargetChoice,
  env: NodeJS.ProcessEnv,
  logSink: LogSink,
): Promise<OpsTarget> {
  const logger = new DevLogger('ops', env.OPS_LOG_LEVEL ?? 'WARN', logSink);
  return choice.kind === 'local' ? openLocal(choice.dataDir, env, logger) : openStage(choice.stage, logger);
}

/** The running `npm run dev` of the data folder (--data-dir, DEV_DATA_DIR, or .data). */
function openLocal(dataDirOption: string | undefined, env: NodeJS.ProcessEnv, logger: DevLogger): OpsTarget {
  const dataDir = path.resolve(dataDirOption ?? (env.DEV_DATA_DIR?.trim() || DEFAULT_DATA_DIR));
  const run = readLocalRunFile(dataDir);
  if (!run) {
    throw new TargetError(
      `no local run found in ${path.relative(process.cwd(), dataDir) || '.'}: start "npm run dev" first (or name its folder with --data-dir)`,
    );
  }
  const serviceEnv = serviceEnvironment(env, {
    baseUrl: run.baseUrl,
    tableNames: run.tableNames,
    queueUrl: run.queueUrl,
    sweepQueueUrl: run.sweepQueueUrl,
    secrets: loadOrCreateSecrets(dataDir),
    googleBaseUrl: run.googleBaseUrl,
    // The emulator's fixed client, or the real one from the environment (.env), as the local run has it.
    googleClient: run.googleBaseUrl
      ? EMULATOR_CLIENT
      : {
          clientId: env.GOOGLE_CLIENT_ID?.trim() ?? '',
          clientSecret: env.GOOGLE_CLIENT_SECRET?.trim() ?? '',
        },
  });
  const local = { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const dynamo = new DynamoDBClient({ ...local, endpoint: run.dynamodbEndpoint });
  const sqs = new SQSClient({ ...local, region: 'us-east-1', endpoint: run.sqsEndpoint });
  return assemble('local', serviceEnv, { dynamo, sqs, logger, deadLetterQueueUrl: run.deadLetterQueueUrl });
}

/**
 * A deployed stage, with the AWS credentials and region of the environment: the stack's outputs by name, and the
 * environment of its OAuth and scheduler functions (tables, queue, key, secrets), read from Lambda.
 */
async function openStage(stage: string, logger: DevLogger): Promise<OpsTarget> {
  const stackName = stackNameOf(stage);
  const cloudFormation = new CloudFormationClient({});
  const lambda = new LambdaClient({});
  try {
    const { Stacks = [] } = await cloudFormation
      .send(new DescribeStacksCommand({ StackName: stackName }))
      .catch((error: unknown) => {
        throw new TargetError(`stack ${stackName} not found (${(error as Error).name})`);
      });
    const outputs = Object.fromEntries(
      (Stacks[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
    );
    const deadLetterQueueUrl = outputs.DeadLetterQueueUrl;
    if (!deadLetterQueueUrl) throw new TargetError(`stack ${stackName} has no DeadLetterQueueUrl output`);
    const functions = new Map<string, string>();
    let nextToken: string | undefined;
    do {
      const page = await cloudFormation.send(
        new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }),
      );
      for (const resource of page.StackResourceSummaries ?? []) {
        if (resource.ResourceType === 'AWS::Lambda::Function' && resource.PhysicalResourceId) {
          functions.set(resource.LogicalResourceId ?? '', resource.PhysicalResourceId);
        }
      }
      nextToken = page.NextToken;
    } while (nextToken);
    const functionEnv = async (logicalPrefix: string) => {
      const name = [...functions].find(([logical]) => logical.startsWith(logicalPrefix))?.[1];
      if (!name) throw new TargetError(`stack ${stackName} has no ${logicalPrefix}`);
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      return config.Environment?.Variables ?? {};
    };
    const serviceEnv = {
      ...(await functionEnv('SchedulerTickFunction')),
      ...(await functionEnv('OAuthFunction')),
    };
    return assemble(stage, serviceEnv, {
      dynamo: new DynamoDBClient({}),
      sqs: new SQSClient({}),
      logger,
      deadLetterQueueUrl,
    });
  } finally {
    cloudFormation.destroy();
    lambda.destroy();
  }
}

function assemble(
  name: string,
  serviceEnv: NodeJS.ProcessEnv,
  parts: { dynamo: DynamoDBClient; sqs: SQSClient; logger: DevLogger; deadLetterQueueUrl: string },
): OpsTarget {
  const config = parseOAuthConfig(serviceEnv);
  const { intervalSeconds } = parseSchedulerConfig(serviceEnv).schedule;
  const services = buildOAuthServices(config, {
    dynamo: parts.dynamo,
    sqs: parts.sqs,
    logger: parts.logger,
    env: serviceEnv,
  });
  return {
    name,
    services,
    connections: new DynamoConnectionStore(parts.dynamo, config.tables.connections),
    syncStates: new DynamoSyncStateStore(parts.dynamo, config.tables.syncState),
    syncStateListing: new DynamoSyncStateListing(parts.dynamo, config.tables.syncState),
    sqs: parts.sqs,
    queueUrl: config.syncQueueUrl,
    deadLetterQueueUrl: parts.deadLetterQueueUrl,
    intervalSeconds,
    close: () => {
      parts.dynamo.destroy();
      parts.sqs.destroy();
    },
  };
}
