import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsConfig } from './config-parts.ts';
import type { WiringOverrides } from './overrides.ts';

/** The DynamoDB client: the caller's, or one for the configured endpoint (local emulators) or AWS. */
export const dynamoClient = (aws: AwsConfig, overrides: WiringOverrides): DynamoDBClient =>
  overrides.dynamo ?? new DynamoDBClient(aws.dynamodbEndpoint ? { endpoint: aws.dynamodbEndpoint } : {});

/** The SQS client: the caller's, or one for the configured endpoint (local emulators) or AWS. */
export const sqsClient = (aws: AwsConfig, overrides: WiringOverrides): SQSClient =>
  overrides.sqs ?? new SQSClient(aws.sqsEndpoint ? { endpoint: aws.sqsEndpoint } : {});
