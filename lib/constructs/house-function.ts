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
 * How every function is bundled (the `module_init` benchmark bundles the same way). CommonJS, not ESM: each
 * entry loads its composition with `import()` on the first request, and in a CommonJS bundle the `require`s of
 * the runtime's SDK clients stay inside that lazily run part, so module init loads none of them; an ESM bundle
 * hoists every import of an external package to the top, and the SDK clients alone took 115-180 ms of init.
 */
export const HOUSE_BUNDLING = {
  format: OutputFormat.CJS,
  target: 'node24',
  minify: true,
  // The map ships in the asset for reading a minified position offline. Not loaded at run time
  // (`--enable-source-maps` doubled module init: 70 -> 133 ms for OAuth); the service logs no stack traces.
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // Only the service clients are left to the runtime; any other @aws-sdk package, which a runtime need not
  // ship, is bundled.
  externalModules: ['@aws-sdk/client-*'],
} satisfies BundlingOptions;

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
 * Every function of the service, with the house defaults: Node.js 24 on arm64, a CommonJS bundle made by the local
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
