import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { FeedSource } from '../ports/feed-source.ts';
import type { Clock } from './clock.ts';

/**
 * What a composition lets its caller replace: AWS clients pointed at emulators, the clock, a captured logger,
 * the environment (tests, the local run, the operator's tools). Absent parts are the production ones.
 */
export interface WiringOverrides {
  dynamo?: DynamoDBClient;
  sqs?: SQSClient;
  kms?: KMSClient;
  secretsManager?: SecretsManagerClient;
  feeds?: FeedSource;
  /** The only source of time; the system clock unless given. */
  clock?: Clock;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}
