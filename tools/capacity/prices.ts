/**
 * AWS list prices in us-east-1 that the cost model multiplies the measured counts by. Each says what it is per,
 * the page it was read from and when. Free tiers are left out on purpose: at the scales the model is for they
 * are noise, and leaving them out keeps every line a plain product.
 */
interface Price {
  /** US dollars per `per`. */
  usd: number;
  per: string;
  source: string;
  /** The day the price was read from `source` (ISO date). */
  read: string;
}

const READ = '2026-12-06';
const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const SQS = 'https://aws.amazon.com/sqs/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const SECRETS = 'https://aws.amazon.com/secrets-manager/pricing/';
const API_GATEWAY = 'https://aws.amazon.com/api-gateway/pricing/';
const WAF = 'https://aws.amazon.com/waf/pricing/';
const EVENTBRIDGE = 'https://aws.amazon.com/eventbridge/pricing/';

const price = (usd: number, per: string, source: string): Price => ({ usd, per, source, read: READ });

export const PRICES = {
  lambdaGbSecond: price(0.0000133334, 'GB-second of arm64 duration (first 7.5 billion a month)', LAMBDA),
  lambdaRequest: price(0.2 / 1e6, 'request ($0.20 per million)', LAMBDA),
  dynamodbReadUnit: price(0.125 / 1e6, 'on-demand read request unit ($0.125 per million)', DYNAMODB),
  dynamodbWriteUnit: price(0.625 / 1e6, 'on-demand write request unit ($0.625 per million)', DYNAMODB),
  dynamodbStorageGbMonth: price(0.25, 'GB-month of table storage (Standard class)', DYNAMODB),
  kmsKeyMonth: price(1, 'customer managed key-month', KMS),
  kmsRequest: price(0.03 / 1e4, 'symmetric request ($0.03 per 10,000)', KMS),
  sqsRequest: price(0.4 / 1e6, 'standard queue request of up to 64 KB ($0.40 per million)', SQS),
  logsIngestGb: price(0.5, 'GB of logs ingested (Standard class)', CLOUDWATCH),
  logsStorageGbMonth: price(0.03, 'GB-month of logs archived', CLOUDWATCH),
  customMetricMonth: price(0.3, 'custom metric-month (first 10,000)', CLOUDWATCH),
  alarmMonth: price(0.1, 'standard-resolution alarm metric-month', CLOUDWATCH),
  dashboardMonth: price(3, 'custom dashboard-month', CLOUDWATCH),
  secretMonth: price(0.4, 'secret-month', SECRETS),
  secretsApiCall: price(0.05 / 1e4, 'API call ($0.05 per 10,000)', SECRETS),
  apiGatewayRestRequest: price(
    3.5 / 1e6,
    'REST API request (first 333 million a month, $3.50 per million)',
    API_GATEWAY,
  ),
  wafWebAclMonth: price(5, 'web ACL-month', WAF),
  wafRuleMonth: price(1, 'rule-month', WAF),
  wafRequest: price(0.6 / 1e6, 'request inspected ($0.60 per million)', WAF),
  schedulerInvocation: price(1 / 1e6, 'EventBridge Scheduler invocation ($1.00 per million)', EVENTBRIDGE),
} as const satisfies Record<string, Price>;

export type Prices = { [Name in keyof typeof PRICES]: Price };
