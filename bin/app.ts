#!/usr/bin/env node
/**
 * The CDK app: `npx cdk deploy` (README, "Deploying to a dev account"). Configuration comes from CDK context
 * or the environment (lib/config.ts); cdk-nag's AWS Solutions checks run on every synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseStackConfig, StackConfigError } from '../lib/config.ts';
import { IcsGoogleSyncStack } from '../lib/stacks/ics-google-sync-stack.ts';

const app = new App();
try {
  const config = parseStackConfig((key) => app.node.tryGetContext(key));
  new IcsGoogleSyncStack(app, `IcsGoogleSync-${config.stage}`, {
    config,
    description: `ICS -> Google Calendar sync (${config.stage})`,
    env: {
      ...(process.env.CDK_DEFAULT_ACCOUNT !== undefined && { account: process.env.CDK_DEFAULT_ACCOUNT }),
      ...(process.env.CDK_DEFAULT_REGION !== undefined && { region: process.env.CDK_DEFAULT_REGION }),
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
} catch (error) {
  if (!(error instanceof StackConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
