/**
 * The rehearsal's deployment: the CDK CLI synthesizes the dev stack with real bundling, bootstraps moto and
 * deploys to it (asset publishing, change set, outputs), exactly as `cdk deploy` does on AWS. moto's
 * CloudFormation lacks a few resource types and runs Lambda in Docker; those resources are taken out of the
 * synthesized template before the CLI deploys it, each for the reason in REHEARSAL_WORKAROUNDS (docs/operating.md,
 * "Deploy rehearsal").
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateSecretCommand,
  GetRandomPasswordCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { MotoServer } from '../moto-server.ts';

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is untyped JSON.
type Json = any;

export interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** Every resource type the rehearsal does not deploy to moto, and why (docs/operating.md lists the same). */
export const REHEARSAL_WORKAROUNDS: Record<string, string> = {
  'AWS::SecretsManager::Secret':
    "moto's CloudFormation skips the type: the rehearsal creates each secret through Secrets Manager first (the generated one with the template's GenerateSecretString settings) and puts its ARN where the template refers to it",
  'AWS::Lambda::EventSourceMapping':
    "moto runs Lambda in Docker on every SendMessage: the rehearsal is the event source, with the mapping's batch size and ReportBatchItemFailures",
  'AWS::ApiGateway::Deployment':
    'moto creates it before the methods and refuses it ("no methods"); the rehearsal serves the routes itself',
  'AWS::ApiGateway::Stage':
    "moto's CloudFormation skips the type (the stage is the rehearsal's own HTTP server)",
  'AWS::ApiGateway::Account': "moto's CloudFormation skips the type (account-wide execution-log setting)",
  'AWS::CloudWatch::Alarm': "moto's CloudFormation skips the type (alarms are checked by the stack tests)",
  'AWS::SQS::QueuePolicy': "moto's CloudFormation skips the type (TLS-only policies; moto serves plain HTTP)",
  'AWS::Scheduler::Schedule':
    "moto's CloudFormation skips the type: the rehearsal invokes the tick as the schedule would",
  'AWS::WAFv2::WebACL': "moto's CloudFormation skips the type (the rehearsal does not go through the edge)",
  'AWS::WAFv2::WebACLAssociation': "moto's CloudFormation skips the type",
  'AWS::CDK::Metadata': 'not a resource (CDK usage metadata)',
};

/** The SQS event source as the template describes it (the rehearsal acts as it). */
export interface EventSource {
  functionLogicalId: string;
  queueLogicalId: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
}

export interface RehearsalDeployment {
  stackName: string;
  outdir: string;
  /** The synthesized template, unchanged. */
  template: CfnTemplate;
  outputs: Record<string, string>;
  eventSources: EventSource[];
  /** The template as deployed to moto. */
  deployed: CfnTemplate;
  /** What was taken out of the template for moto, by logical id -> type. */
  removed: Record<string, string>;
  seconds: { synth: number; deploy: number };
}

export interface DeployOptions {
  projectRoot: string;
  moto: MotoServer;
  /** Where the cloud assembly goes (inside the project, so bundles resolve the runtime's SDK packages). */
  outdir: string;
  context: Record<string, string>;
  log: (line: string) => void;
}

export async function deployToMoto(options: DeployOptions): Promise<RehearsalDeployment> {
  const { moto, outdir, log } = options;
  // moto reads a change set's template URL by bucket and key only when the host is `localhost`.
  const endpoint = moto.endpoint.replace('127.0.0.1', 'localhost');
  const env = {
    ...process.env,
    ...moto.environment(),
    AWS_ENDPOINT_URL: endpoint,
    CDK_DISABLE_VERSION_CHECK: '1',
  };
  const contextArgs = Object.entries(options.context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const cdk = (args: string[]) => run('npx', ['cdk', ...args], { cwd: options.projectRoot, env }, log);

  const synthStarted = Date.now();
  await cdk(['synth', '--quiet', '-o', outdir, ...contextArgs]);
  const synthSeconds = (Date.now() - synthStarted) / 1000;

  const deployStarted = Date.now();
  await cdk(['bootstrap', `aws://${accountOf(moto)}/${moto.region}`, '--app', outdir]);
  const stackName = stackNameIn(outdir);
  const templateFile = path.join(outdir, `${stackName}.template.json`);
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as CfnTemplate;
  const secrets = await createSecrets(template, stackName, moto);
  const { deployable, removed, eventSources } = forMoto(template, secrets);
  writeFileSync(templateFile, JSON.stringify(deployable, null, 1));
  const outputsFile = path.join(outdir, 'rehearsal-outputs.json');
  await cdk([
    'deploy',
    stackName,
    '--app',
    outdir,
    '--require-approval',
    'never',
    '--outputs-file',
    outputsFile,
    '--progress',
    'events',
  ]);
  const written = (JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>)[
    stackName
  ];
  // moto leaves the outputs of a stack made by a change set empty: they are evaluated from its resources.
  const outputs =
    written && Object.keys(written).length > 0 ? written : await evaluateOutputs(deployable, stackName, moto);
  return {
    stackName,
    outdir,
    template,
    deployed: deployable,
    outputs,
    eventSources,
    removed,
    seconds: { synth: synthSeconds, deploy: (Date.now() - deployStarted) / 1000 },
  };
}

/** The template's outputs over the deployed physical ids (Ref, GetAtt of queues, Join, Select, Split). */
async function evaluateOutputs(
  template: CfnTemplate,
  stackName: string,
  moto: MotoServer,
): Promise<Record<string, string>> {
  const cloudFormation = new CloudFormationClient({
    endpoint: moto.endpoint,
    region: moto.region,
    credentials: moto.credentials,
  });
  const physical: Record<string, string> = {};
  for (let token: string | undefined, first = true; first || token; first = false) {
    const page = await cloudFormation.send(
      new ListStackResourcesCommand({ StackName: stackName, ...(token ? { NextToken: token } : {}) }),
    );
    for (const resource of page.StackResourceSummaries ?? []) {
      physical[resource.LogicalResourceId as string] = resource.PhysicalResourceId as string;
    }
    token = page.NextToken;
  }
  cloudFormation.destroy();
  const pseudo: Record<string, string> = {
    'AWS::Region': moto.region,
    'AWS::AccountId': accountOf(moto),
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::Partition': 'aws',
    'AWS::StackName': stackName,
  };
  const evaluate = (value: Json): string => {
    if (typeof value === 'string') return value;
    if (value.Ref !== undefined) {
      const resolved = pseudo[value.Ref] ?? physical[value.Ref];
      if (resolved === undefined) throw new Error(`output refers to ${value.Ref}, not deployed`);
      return resolved;
    }
    if (value['Fn::GetAtt']) {
      const [id, attribute] = value['Fn::GetAtt'] as [string, string];
      const url = physical[id] ?? '';
      const queueName = url.split('/').at(-1);
      if (attribute === 'QueueUrl') return url;
      if (attribute === 'QueueName') return queueName as string;
      if (attribute === 'Arn' && url.includes('sqs'))
        return `arn:aws:sqs:${moto.region}:${accountOf(moto)}:${queueName}`;
      throw new Error(`output uses GetAtt ${id}.${attribute}, not evaluated by the rehearsal`);
    }
    if (value['Fn::Join']) {
      const [separator, parts] = value['Fn::Join'] as [string, Json[]];
      return parts.map(evaluate).join(separator);
    }
    if (value['Fn::Select']) {
      const [index, list] = value['Fn::Select'] as [number | string, Json];
      const items = Array.isArray(list) ? list.map(evaluate) : evaluateList(list);
      return items[Number(index)] as string;
    }
    throw new Error(`output expression not evaluated by the rehearsal: ${JSON.stringify(value)}`);
  };
  const evaluateList = (value: Json): string[] => {
    if (value['Fn::Split']) {
      const [separator, source] = value['Fn::Split'] as [string, Json];
      return evaluate(source).split(separator);
    }
    throw new Error(`list expression not evaluated by the rehearsal: ${JSON.stringify(value)}`);
  };
  return Object.fromEntries(
    Object.entries(template.Outputs ?? {}).map(([name, output]) => [name, evaluate(output.Value)]),
  );
}

const accountOf = (_moto: MotoServer) => '123456789012';

function stackNameIn(outdir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string }>;
  };
  const stacks = Object.entries(manifest.artifacts)
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([name]) => name);
  if (stacks.length !== 1) throw new Error(`expected one stack in the assembly, found ${stacks.join(', ')}`);
  return stacks[0] as string;
}

/** Creates the template's secrets through Secrets Manager, as CloudFormation would; logical id -> ARN. */
async function createSecrets(
  template: CfnTemplate,
  stackName: string,
  moto: MotoServer,
): Promise<Record<string, string>> {
  const client = new SecretsManagerClient({
    endpoint: moto.endpoint,
    region: moto.region,
    credentials: moto.credentials,
  });
  const arns: Record<string, string> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::SecretsManager::Secret') continue;
    const properties = resource.Properties ?? {};
    let secretString: string | undefined = properties.SecretString;
    const generate = properties.GenerateSecretString as Record<string, Json> | undefined;
    if (generate) {
      if (generate.SecretStringTemplate)
        throw new Error(`${logicalId}: SecretStringTemplate is not rehearsed`);
      const { RandomPassword } = await client.send(
        new GetRandomPasswordCommand({
          PasswordLength: generate.PasswordLength,
          ExcludePunctuation: generate.ExcludePunctuation,
          ExcludeCharacters: generate.ExcludeCharacters,
        }),
      );
      secretString = RandomPassword;
    }
    const created = await client.send(
      new CreateSecretCommand({
        Name: `${stackName}-${logicalId}`,
        Description: properties.Description,
        ...(secretString === undefined ? {} : { SecretString: secretString }),
      }),
    );
    arns[logicalId] = created.ARN as string;
  }
  client.destroy();
  return arns;
}

/**
 * The template as moto can deploy it: the resources of REHEARSAL_WORKAROUNDS out, references to the secrets
 * replaced by their ARNs, `DependsOn` on removed resources dropped. Any other reference to a removed resource
 * is an error (it would deploy something different from the template).
 */
export function forMoto(
  template: CfnTemplate,
  secretArns: Record<string, string>,
): { deployable: CfnTemplate; removed: Record<string, string>; eventSources: EventSource[] } {
  const removed: Record<string, string> = {};
  const eventSources: EventSource[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (!(resource.Type in REHEARSAL_WORKAROUNDS)) continue;
    removed[logicalId] = resource.Type;
    if (resource.Type === 'AWS::Lambda::EventSourceMapping') {
      const properties = resource.Properties ?? {};
      eventSources.push({
        functionLogicalId: properties.FunctionName?.Ref,
        queueLogicalId: properties.EventSourceArn?.['Fn::GetAtt']?.[0],
        batchSize: properties.BatchSize ?? 10,
        reportBatchItemFailures: (properties.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      });
    }
  }
  const refersTo = (value: Json, ids: Record<string, string>): string | undefined => {
    if (Array.isArray(value)) return value.map((inner) => refersTo(inner, ids)).find(Boolean);
    if (value === null || typeof value !== 'object') return undefined;
    if (typeof value.Ref === 'string' && value.Ref in ids) return value.Ref;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[0] in ids) return getAtt[0];
    return Object.values(value)
      .map((inner) => refersTo(inner, ids))
      .find(Boolean);
  };
  // What refers to a removed resource (the stage's invoke permissions, the dashboard of the alarms) goes too.
  for (let more = true; more; ) {
    more = false;
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (logicalId in removed || resource.Type === 'AWS::SecretsManager::Secret') continue;
      const target = refersTo(resource.Properties ?? {}, removed);
      if (target && !(target in secretArns)) {
        removed[logicalId] = `${resource.Type} (refers to ${target})`;
        more = true;
      }
    }
  }
  const replaceSecrets = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(replaceSecrets);
    if (value === null || typeof value !== 'object') return value;
    if (typeof value.Ref === 'string' && value.Ref in secretArns) return secretArns[value.Ref];
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, replaceSecrets(inner)]));
  };
  const deployable: CfnTemplate = { ...template, Resources: {}, Outputs: {} };
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (logicalId in removed) continue;
    const rewritten = replaceSecrets(resource) as CfnResource;
    if (rewritten.DependsOn !== undefined) {
      const kept = [rewritten.DependsOn].flat().filter((id) => !(id in removed));
      if (kept.length > 0) rewritten.DependsOn = kept;
      else delete rewritten.DependsOn;
    }
    deployable.Resources[logicalId] = rewritten;
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    const rewritten = replaceSecrets(output);
    if (refersTo(rewritten, removed)) removed[`Outputs.${name}`] = 'output (refers to a removed resource)';
    else (deployable.Outputs as Record<string, { Value: unknown }>)[name] = rewritten;
  }
  return { deployable, removed, eventSources };
}

/** Runs a command, its output to `log` line by line; fails with the last lines when it fails. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  log: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        log(line);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(`${command} ${args.slice(0, 2).join(' ')} failed (exit ${code}):\n${tail.join('\n')}`),
        );
    });
  });
}
