import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStackConfig } from '../../lib/config.ts';
import { IcsGoogleSyncStack } from '../../lib/stacks/ics-google-sync-stack.ts';
import { BASE_CONTEXT, removeAssemblies, synthesize } from './synth.ts';

afterAll(removeAssemblies);

/** The operating guide lists every acknowledgement ("cdk-nag acknowledgements"). */
const operatingGuide = readFileSync(path.resolve(import.meta.dirname, '../../docs/operating.md'), 'utf8');

/** Every acknowledgement in the stack: rule id, reason and where. */
function acknowledgements(stack: IcsGoogleSyncStack): Array<{ id: string; reason: string; path: string }> {
  return stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // Each entry maps "Annotation::<rule id>" to its reason.
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([key, reason]) => ({ id: key.replace(/^Annotation::/, ''), reason, path: construct.node.path })),
  );
}

describe('cdk-nag (AWS Solutions)', () => {
  it.each([
    ['dev', {}],
    [
      'prod with alarms and host events',
      {
        stage: 'prod',
        alarmEmail: 'ops@example.com',
        hostEventsUrl: 'https://ics.example.com/hooks',
        hostEventsKeyId: 'k1',
      },
    ],
    ['LocalStack', { target: 'localstack' }],
  ])('finds nothing unacknowledged in the %s stack', (_, context) => {
    expect(() => synthesize(context)).not.toThrow();
  });

  it('fails the synthesis on a finding nobody acknowledged', () => {
    const app = new App({ context: { ...BASE_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const config = parseStackConfig((key) => app.node.tryGetContext(key), {});
    const stack = new IcsGoogleSyncStack(app, 'WithAFinding', { config });
    new sqs.Queue(stack, 'QueueWithoutDeadLetters', { enforceSSL: true });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });

  it('acknowledges each deliberate finding with its reason, and the operating guide lists them all', () => {
    const { stack } = synthesize();
    const found = acknowledgements(stack);
    const ids = [...new Set(found.map(({ id }) => id.replace(/\[.*$/, '')))].sort();
    expect(ids).toEqual([
      'AwsSolutions-APIG2',
      'AwsSolutions-APIG4',
      'AwsSolutions-COG4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
    ]);
    for (const { id, reason, path: where } of found) {
      expect(reason.length, `${id} at ${where}`).toBeGreaterThan(40);
    }
    for (const id of ids) expect(operatingGuide, `docs/operating.md names ${id}`).toContain(id);
  });
});
