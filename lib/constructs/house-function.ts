import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Largest minified bundle a function may ship (checked by the stack tests on a real synth). */
export const MAX_BUNDLE_BYTES = 1024 * 1024;

/**
 * ESM bundles of CommonJS packages (Google's client, gaxios) need `require`; esbuild leaves calls to it, so the
 * bundle defines one.
 */
const REQUIRE_SHIM =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** How every function is bundled (the `module_init` benchmark bundles the same way). */
export const HOUSE_BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: REQUIRE_SHIM,
  // Only the service clients are left to the runtime (importable from ESM since Node.js 18); any other
  // @aws-sdk package, which a runtime need not ship, is bundled.
  externalModules: ['@aws-sdk/client-*'],
} satisfies BundlingOptions;

/** Set on every function; `--enable-source-maps` also costs at module init, so the benchmark sets it too. */
export const HOUSE_NODE_OPTIONS = '--enable-source-maps';

export interface HouseFunctionProps {
  /** The entry file, relative to the project root (`lambdas/oauth/index.ts`). */
  entry: string;
  /** The exported handler (`handler`, `enqueueHandler`, ...). */
  handler?: string;
  description: string;
  timeout: Duration;
  memorySize?: number;
  environment: Record<string, string>;
  serviceName: string;
  metricsNamespace: string;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * Every function of the service, with the house defaults: Node.js 24 on arm64, an ESM bundle made by the local
 * esbuild (minified, source maps), its own log group with retention and JSON logs, Powertools settings, and a
 * role of its own that may write only to that log group: every other permission is granted explicitly by the
 * stack from `access.ts`.
 *
 * The AWS SDK v3 service clients are taken from the Lambda runtime, not bundled. Bundled, they put the worker at
 * 1,148,560 bytes, over the 1 MiB limit, and notify and OAuth within 4% of it (1,009,366 and 1,029,453).
 * Without them the bundles are 595-748 KB, and a smaller bundle starts faster. The commands used are stable
 * ones every runtime SDK has; the tests run against the SDK version in package-lock.json. Only the
 * `@aws-sdk/client-*` packages stay external.
 */
export class HouseFunction extends NodejsFunction {
  /** The function's own log group (the one its role may write to). */
  readonly ownLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (least privilege; see lib/stacks/access.ts)`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    super(scope, id, {
      entry: path.join(projectRoot, props.entry),
      handler: props.handler ?? 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      awsSdkConnectionReuse: false,
      environment: {
        NODE_OPTIONS: HOUSE_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: { forceDockerBundling: false, ...HOUSE_BUNDLING, metafile: false },
    });
    this.ownLogGroup = logGroup;
  }
}
