/**
 * Synthesizes the stack for the stack tests: once with real bundling (the local esbuild, as `cdk deploy` does)
 * into a temporary folder, and in variants without bundling where only the template matters.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseStackConfig } from '../../lib/config.ts';
import { IcsGoogleSyncStack } from '../../lib/stacks/ics-google-sync-stack.ts';

/** What a dev deployment is given on the command line (docs/operating.md, "Deploying to a dev account"). */
export const BASE_CONTEXT = {
  feedUrlTemplate: 'https://ics.example.com/feeds/{token}.ics',
  returnToAllowList: 'https://ics.example.com/account,https://ics.example.com/settings',
};

export interface Synthesized {
  stack: IcsGoogleSyncStack;
  template: Template;
  json: CfnTemplate;
  /** The cloud assembly folder (bundles under `asset.<hash>/`). */
  outdir: string;
}

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is untyped JSON, read by the tests.
type Json = any;

export interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
  Metadata?: Record<string, Json>;
  DeletionPolicy?: string;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

/**
 * A synthesized stack with cdk-nag's AWS Solutions checks on, as `bin/app.ts` runs them: synthesis throws on
 * any unacknowledged finding.
 */
export function synthesize(
  context: Record<string, string> = {},
  options: { bundle?: boolean; env?: NodeJS.ProcessEnv } = {},
): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), 'stack-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    context: {
      ...BASE_CONTEXT,
      ...context,
      // Without bundling, assets are placeholders: faster, for tests of the template alone.
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const config = parseStackConfig((key) => app.node.tryGetContext(key), options.env ?? {});
  const stack = new IcsGoogleSyncStack(app, `IcsGoogleSync-${config.stage}`, {
    config,
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const json = JSON.parse(
    readFileSync(path.join(assembly.directory, stack.templateFile), 'utf8'),
  ) as CfnTemplate;
  return { stack, template: Template.fromJSON(json), json, outdir: assembly.directory };
}

const outdirs: string[] = [];

/** Removes every assembly this test file synthesized (call from afterAll). */
export function removeAssemblies(): void {
  for (const outdir of outdirs.splice(0)) rmSync(outdir, { recursive: true, force: true });
}

let bundled: Synthesized | undefined;

/** The default dev stack with real bundles, synthesized once per test file. */
export function bundledStack(): Synthesized {
  bundled ??= synthesize({}, { bundle: true });
  return bundled;
}

/** Resources of one type, by logical id. */
export function resourcesOf(json: CfnTemplate, type: string) {
  return Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalIdOf(
  stack: IcsGoogleSyncStack,
  construct: { node: { defaultChild?: unknown } },
): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}
