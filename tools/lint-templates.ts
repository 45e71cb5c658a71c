/**
 * `npm run lint:templates`: cfn-lint over every template variant the project deploys (dev, prod with alarm
 * e-mails, LocalStack), synthesized without bundling (only the templates matter). No errors are allowed; each
 * warning kept is acknowledged below by rule id with its reason, as cdk-nag's findings are in the stack.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseStackConfig } from '../lib/config.ts';
import { IcsGoogleSyncStack } from '../lib/stacks/ics-google-sync-stack.ts';

/** Warnings acknowledged, by rule id (docs/operating.md, "Template lint"). */
export const ACKNOWLEDGED_WARNINGS: Record<string, string> = {
  W3005:
    "CDK adds a DependsOn from each function to its role's default policy and to the role, which the role's GetAtt already implies: redundant, harmless, and not ours to remove.",
};

const BASE = {
  feedUrlTemplate: 'https://ics.example.com/feeds/{token}.ics',
  returnToAllowList: 'https://ics.example.com/account',
};

/** The variants, as `cdk deploy` makes them from context (lib/config.ts). */
export const VARIANTS: Record<string, Record<string, string>> = {
  dev: {},
  prod: { stage: 'prod', alarmEmail: 'ops@example.com', hostIpAllowList: '203.0.113.7/32,2001:db8::/64' },
  localstack: { target: 'localstack', googleApiBaseUrl: 'http://host.docker.internal:8788/' },
};

function synthesizeVariant(name: string, context: Record<string, string>, dir: string): string {
  const app = new App({
    outdir: path.join(dir, name),
    context: { ...BASE, ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const config = parseStackConfig((key) => app.node.tryGetContext(key), {});
  const stack = new IcsGoogleSyncStack(app, `IcsGoogleSync-${config.stage}`, { config });
  const assembly = app.synth();
  const file = path.join(dir, `${name}.template.json`);
  writeFileSync(file, readFileSync(path.join(assembly.directory, stack.templateFile), 'utf8'));
  return file;
}

const dir = mkdtempSync(path.join(tmpdir(), 'templates-'));
try {
  const files = Object.entries(VARIANTS).map(([name, context]) => synthesizeVariant(name, context, dir));
  const ignored = Object.keys(ACKNOWLEDGED_WARNINGS).join(',');
  const lint = spawnSync('cfn-lint', ['--ignore-checks', ignored, '--', ...files], { encoding: 'utf8' });
  if (lint.error) {
    process.stderr.write(
      `cfn-lint could not run (${lint.error.message}); it ships with the Python package cfn-lint\n`,
    );
    process.exit(1);
  }
  process.stdout.write(lint.stdout);
  process.stderr.write(lint.stderr);
  // cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
  if (lint.status !== 0) {
    process.stderr.write(
      `cfn-lint found problems in ${Object.keys(VARIANTS).join(', ')} (exit ${lint.status})\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`cfn-lint: ${Object.keys(VARIANTS).join(', ')} clean (acknowledged: ${ignored})\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
