/**
 * The stack cannot drift from the code it deploys:
 * - every function's handler is exported by its bundle, and its Environment (CloudFormation references
 *   replaced by placeholders of the right shape) passes that function's own configuration parser, with no
 *   variable the parser does not read;
 * - each table variable names the table of that name in tables.ts;
 * - the table of actions per adapter (lib/stacks/access.ts) equals the SDK commands in the adapters' source,
 *   the adapters per function equal what each function's composition (`lambdas/<function>/compose.ts`, with the
 *   shared factories of `lambdas/shared/wiring/`) builds it with, and every role's
 *   policy grants exactly that, on exactly those resources.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_VARIABLES, parseCheckConfig } from '../../lambdas/check/config.ts';
import { NOTIFY_VARIABLES, parseNotifyConfig } from '../../lambdas/notify/config.ts';
import { OAUTH_VARIABLES, parseOAuthConfig } from '../../lambdas/oauth/config.ts';
import { parseSchedulerConfig, SCHEDULER_VARIABLES } from '../../lambdas/scheduler/config.ts';
import { TABLES, type TableId } from '../../lambdas/shared/adapters/dynamodb/tables.ts';
import { parseSyncWorkerConfig, SYNC_WORKER_VARIABLES } from '../../lambdas/sync/config.ts';
import {
  ACTION_OF_COMMAND,
  ADAPTERS,
  type AdapterName,
  FUNCTION_ACCESS,
  type FunctionId,
  grantOfStore,
  QUEUE_ADAPTERS,
  QUEUE_SEND_ACTIONS,
  type QueueId,
  type SecretId,
  type StoreAdapter,
} from '../../lib/stacks/access.ts';
import {
  bundledStack,
  type CfnTemplate,
  logicalIdOf,
  removeAssemblies,
  type Synthesized,
  synthesize,
} from './synth.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');

const PARSERS: Record<FunctionId, { parse: (env: NodeJS.ProcessEnv) => unknown; reads: readonly string[] }> =
  {
    oauth: { parse: parseOAuthConfig, reads: OAUTH_VARIABLES },
    notify: { parse: parseNotifyConfig, reads: NOTIFY_VARIABLES },
    syncWorker: { parse: parseSyncWorkerConfig, reads: SYNC_WORKER_VARIABLES },
    check: { parse: parseCheckConfig, reads: CHECK_VARIABLES },
    schedulerTick: { parse: parseSchedulerConfig, reads: SCHEDULER_VARIABLES },
    schedulerPurge: { parse: parseSchedulerConfig, reads: SCHEDULER_VARIABLES },
  };

/** Read by Lambda's runtime and Powertools, not by the service's configuration. */
const RUNTIME_VARIABLES = [
  'NODE_OPTIONS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
];

const SECRET_ADAPTER: Record<SecretId, AdapterName> = {
  googleClient: 'SecretsManagerGoogleClientCredentials',
  hostKeys: 'SecretsManagerHostKeyRing',
  subscriberIdKey: 'SubscriberIdSecret',
};

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation intrinsics are untyped JSON.
type Json = any;

/**
 * A CloudFormation value with every reference replaced by a placeholder of the shape the referenced resource
 * gives at deploy time (a table name, a queue URL, an ARN...). An unknown shape fails the test: a new kind of
 * reference must be taught here rather than pass unchecked.
 */
function placeholder(json: CfnTemplate, value: Json): string {
  if (typeof value === 'string') return value;
  if (value.Ref) {
    if (value.Ref === 'AWS::Region') return 'eu-west-1';
    if (value.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
    if (value.Ref === 'AWS::AccountId') return '123456789012';
    if (value.Ref === 'AWS::Partition') return 'aws';
    const type = json.Resources[value.Ref]?.Type;
    if (type === 'AWS::DynamoDB::Table') return `table-${value.Ref}`;
    if (type === 'AWS::SQS::Queue') return `https://sqs.eu-west-1.amazonaws.com/123456789012/${value.Ref}`;
    if (type === 'AWS::SecretsManager::Secret') {
      return `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${value.Ref}-AbCdEf`;
    }
    if (type === 'AWS::ApiGateway::RestApi') return 'a1b2c3d4e5';
    throw new Error(`no placeholder for a Ref to ${type}`);
  }
  if (value['Fn::GetAtt']) {
    const [logicalId, attribute] = value['Fn::GetAtt'] as [string, string];
    const type = json.Resources[logicalId]?.Type;
    if (type === 'AWS::KMS::Key' && attribute === 'Arn') {
      return `arn:aws:kms:eu-west-1:123456789012:key/${logicalId}`;
    }
    throw new Error(`no placeholder for ${type}.${attribute}`);
  }
  if (value['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'] as [string, Json[]];
    return parts.map((part) => placeholder(json, part)).join(separator);
  }
  throw new Error(`no placeholder for ${JSON.stringify(value)}`);
}

let dev: Synthesized;
beforeAll(() => {
  dev = bundledStack();
}, 120_000);
afterAll(removeAssemblies);

const functionResource = (synthesized: Synthesized, fn: FunctionId) =>
  synthesized.json.Resources[logicalIdOf(synthesized.stack, synthesized.stack.functions[fn])];

const environmentOf = (synthesized: Synthesized, fn: FunctionId): Record<string, string> =>
  Object.fromEntries(
    Object.entries(functionResource(synthesized, fn)?.Properties?.Environment?.Variables ?? {}).map(
      ([name, value]) => [name, placeholder(synthesized.json, value)],
    ),
  );

const FUNCTIONS = Object.keys(FUNCTION_ACCESS) as FunctionId[];

describe('handlers and bundles', () => {
  it.each(FUNCTIONS)('the %s bundle exports the handler the function names', (fn) => {
    const resource = functionResource(dev, fn);
    const [file, exported] = String(resource?.Properties?.Handler).split('.') as [string, string];
    const hash = String(resource?.Properties?.Code?.S3Key).replace(/\.zip$/, '');
    // Loaded as the Lambda runtime loads a CommonJS handler (module init only: the composition is lazy).
    const bundle = path.join(dev.outdir, `asset.${hash}`, `${file}.js`);
    const loaded: { exports: Record<string, unknown> } = { exports: {} };
    const init = new Function(
      'module',
      'exports',
      'require',
      '__filename',
      '__dirname',
      readFileSync(bundle, 'utf8'),
    );
    init(loaded, loaded.exports, createRequire(bundle), bundle, path.dirname(bundle));
    expect(typeof loaded.exports[exported]).toBe('function');
  });
});

describe('environments', () => {
  const variants: Array<[string, Record<string, string>]> = [
    ['dev defaults', {}],
    [
      'prod, host events, token-only intents, custom domain',
      {
        stage: 'prod',
        hostEventsUrl: 'https://ics.example.com/hooks/google-sync',
        hostEventsKeyId: 'k2026',
        connectIntents: 'token_only',
        publicApiUrl: 'https://sync.example.com',
        alarmEmail: 'ops@example.com',
      },
    ],
    [
      'LocalStack with the emulator',
      { target: 'localstack', googleApiBaseUrl: 'http://host.docker.internal:8788' },
    ],
  ];

  it.each(variants)('every function starts with its environment (%s)', (_, context) => {
    const synthesized = Object.keys(context).length === 0 ? dev : synthesize(context);
    for (const fn of FUNCTIONS) {
      const env = environmentOf(synthesized, fn);
      expect(() => PARSERS[fn].parse(env), fn).not.toThrow();
      const unread = Object.keys(env).filter(
        (name) => !PARSERS[fn].reads.includes(name) && !RUNTIME_VARIABLES.includes(name),
      );
      expect(unread, `${fn}: variables its configuration never reads`).toEqual([]);
    }
  });

  it('a broken value is caught: an environment the parser refuses fails this test', () => {
    const env = environmentOf(dev, 'oauth');
    expect(() =>
      PARSERS.oauth.parse({ ...env, FEED_URL_TEMPLATE: 'https://ics.example.com/feed.ics' }),
    ).toThrow(/FEED_URL_TEMPLATE/);
  });

  it('each table the configuration reads is the table of that name in tables.ts', () => {
    /** Config fields that name a table, when not the table's own id. */
    const FIELD_TABLE: Record<string, TableId> = { noncesTable: 'hostNonces' };
    for (const fn of FUNCTIONS) {
      const config = PARSERS[fn].parse(environmentOf(dev, fn));
      const tables: Array<[string, string]> = [];
      const walk = (value: unknown, key: string) => {
        if (typeof value === 'string' && value.startsWith('table-'))
          tables.push([key, value.slice('table-'.length)]);
        else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
      };
      walk(config, '');
      expect(tables.length, fn).toBeGreaterThan(0);
      for (const [field, logicalId] of tables) {
        expect(describeTable(dev.json, logicalId), `${fn}: ${field}`).toBe(FIELD_TABLE[field] ?? field);
      }
    }
  });
});

/** Which table of tables.ts a table resource is, by its keys and indexes. */
function describeTable(json: CfnTemplate, logicalId: string): TableId | undefined {
  const table = json.Resources[logicalId]?.Properties ?? {};
  const keys = (table.KeySchema as Array<{ AttributeName: string; KeyType: string }>).map(
    (key) => `${key.KeyType}:${key.AttributeName}`,
  );
  const ttl = table.TimeToLiveSpecification?.AttributeName;
  const indexes = ((table.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string }>).map(
    (i) => i.IndexName,
  );
  const matches = (Object.entries(TABLES) as [TableId, (typeof TABLES)[TableId]][]).filter(
    ([, definition]) => {
      const want = [
        `HASH:${definition.partitionKey}`,
        ...('sortKey' in definition ? [`RANGE:${definition.sortKey}`] : []),
      ];
      const wantIndexes = 'indexes' in definition ? Object.keys(definition.indexes) : [];
      return (
        JSON.stringify(keys) === JSON.stringify(want) &&
        ttl === ('ttlAttribute' in definition ? definition.ttlAttribute : undefined) &&
        JSON.stringify(indexes.sort()) === JSON.stringify(wantIndexes.sort())
      );
    },
  );
  // Tables alike in shape (rateLimits, hostNonces, oauthStates differ by key name) are told apart by keys.
  return matches.length === 1 ? matches[0]?.[0] : undefined;
}

describe('the table of actions per adapter', () => {
  const source = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8');
  const commandsIn = (text: string) => [
    ...new Set([...text.matchAll(/new (\w+Command)\(/g)].map((m) => m[1] as string)),
  ];

  it.each(Object.keys(ADAPTERS) as AdapterName[])(
    '%s: the actions are the SDK commands its source sends',
    (name) => {
      const adapter: { file: string; via?: string } & (typeof ADAPTERS)[AdapterName] = ADAPTERS[name];
      // An adapter that sends through a shared module sends that module's commands.
      const text = source(adapter.file) + (adapter.via ? source(adapter.via) : '');
      const access = adapter.access;
      if (access.kind === 'table') {
        const commands = commandsIn(text);
        const queries = (text.match(/new QueryCommand\(/g) ?? []).length;
        const indexed = (text.match(/IndexName:/g) ?? []).length;
        const onTable = commands
          .filter((command) => command !== 'QueryCommand' || indexed < queries)
          .map((command) => `dynamodb:${command.replace(/Command$/, '')}`)
          .sort();
        expect([...access.actions].sort()).toEqual(onTable);
        const indexNames = [...text.matchAll(/const \w+_INDEX = '([^']+)'/g)].map((m) => m[1]).sort();
        expect([...access.indexes].sort()).toEqual(indexed > 0 ? indexNames : []);
        // An adapter built on several tables names each of them in its source.
        const tables: readonly string[] = ('tables' in adapter && adapter.tables) || [];
        for (const table of tables) expect(text).toContain(`tables.${table}`);
      } else if (access.kind === 'queue') {
        expect(commandsIn(text).map((command) => ACTION_OF_COMMAND[command])).toEqual([
          ...QUEUE_SEND_ACTIONS,
        ]);
      } else if (access.kind === 'key') {
        expect(
          commandsIn(text)
            .map((command) => ACTION_OF_COMMAND[command])
            .sort(),
        ).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      } else {
        // Secrets are read with Powertools' SecretsProvider, which sends GetSecretValue.
        expect(text).toMatch(/new SecretsProvider\(/);
      }
    },
  );
});

describe('the adapters of each function', () => {
  /** Each function's builder and the composition file it is in. */
  const BUILDERS: Record<FunctionId, { name: string; file: string }> = {
    oauth: { name: 'buildOAuthServices', file: 'lambdas/oauth/compose.ts' },
    notify: { name: 'buildNotifyServices', file: 'lambdas/notify/compose.ts' },
    syncWorker: { name: 'buildSyncWorkerServices', file: 'lambdas/sync/compose.ts' },
    check: { name: 'buildCheckServices', file: 'lambdas/check/compose.ts' },
    schedulerTick: { name: 'buildSchedulerServices', file: 'lambdas/scheduler/compose.ts' },
    schedulerPurge: { name: 'buildSchedulerServices', file: 'lambdas/scheduler/compose.ts' },
  };
  const WIRING = 'lambdas/shared/wiring';
  /** What an imported factory builds, for factories whose adapter class is constructed in another file. */
  const FACTORIES: Record<string, AdapterName> = {
    createCipher: 'KmsKeyService',
    secretLoader: 'SubscriberIdSecret',
  };
  /** Config fields that name a table, when not the table's own id. */
  const TABLE_FIELDS: Record<string, TableId> = { noncesTable: 'hostNonces' };

  // The functions of the compositions and of the shared factories they call, by name (the names are unique).
  const files = [
    ...new Set(Object.values(BUILDERS).map(({ file }) => file)),
    ...readdirSync(path.join(projectRoot, WIRING)).map((name) => `${WIRING}/${name}`),
  ];
  const functions = new Map<string, ts.FunctionDeclaration | ts.ArrowFunction>();
  for (const relative of files) {
    const file = path.join(projectRoot, relative);
    const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    collectFunctions(sourceFile);
  }
  function collectFunctions(sourceFile: ts.SourceFile): void {
    sourceFile.forEachChild((node) => {
      if (ts.isFunctionDeclaration(node) && node.name) functions.set(node.name.text, node);
      if (ts.isVariableStatement(node)) {
        for (const declaration of node.declarationList.declarations) {
          if (
            ts.isIdentifier(declaration.name) &&
            declaration.initializer &&
            ts.isArrowFunction(declaration.initializer)
          ) {
            functions.set(declaration.name.text, declaration.initializer);
          }
        }
      }
    });
  }

  /** `Adapter` or `Adapter@table`, for every adapter of ADAPTERS the builder constructs, following local calls. */
  function adaptersBuiltBy(name: string, seen = new Set<string>()): Set<string> {
    const found = new Set<string>();
    if (seen.has(name)) return found;
    seen.add(name);
    const visit = (node: ts.Node) => {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text in ADAPTERS) {
        const adapter = node.expression.text as AdapterName;
        const tableArgument = node.arguments?.[1];
        const entry = ADAPTERS[adapter];
        if ('tables' in entry) {
          for (const table of entry.tables) found.add(`${adapter}@${table}`);
        } else if (
          ADAPTERS[adapter].access.kind === 'table' &&
          tableArgument &&
          ts.isPropertyAccessExpression(tableArgument)
        ) {
          const field = tableArgument.name.text;
          found.add(`${adapter}@${TABLE_FIELDS[field] ?? field}`);
        } else {
          found.add(adapter);
        }
      }
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const callee = node.expression.text;
        const made = FACTORIES[callee];
        if (made) found.add(made);
        if (functions.has(callee)) for (const inner of adaptersBuiltBy(callee, seen)) found.add(inner);
      }
      node.forEachChild(visit);
    };
    const declaration = functions.get(name);
    if (!declaration) throw new Error(`${name} is in no composition or shared factory`);
    visit(declaration);
    return found;
  }

  it.each(FUNCTIONS)('%s: access.ts lists exactly the adapters its builder constructs', (fn) => {
    const access = FUNCTION_ACCESS[fn];
    const declared = new Set<string>([
      ...access.stores.map(({ adapter, table }) => `${adapter}@${table}`),
      ...access.sendsTo.map((queue) => QUEUE_ADAPTERS[queue]),
      ...(access.key ? ['KmsKeyService'] : []),
      ...access.secrets.map((secret) => SECRET_ADAPTER[secret]),
    ]);
    expect([...adaptersBuiltBy(BUILDERS[fn].name)].sort()).toEqual([...declared].sort());
  });
});

describe('policies', () => {
  /** `action on resource` for every statement of a role's policies; resources named by what they are. */
  function grantsOf(synthesized: Synthesized, fn: FunctionId): string[] {
    const { json, stack } = synthesized;
    const handler = stack.functions[fn];
    const roleId = stack.getLogicalId((handler.role as Json).node.defaultChild);
    const nameOf = (resource: Json): string => {
      if (resource === '*') return '*';
      const join = resource['Fn::Join'];
      if (join) {
        const [, [base, suffix]] = join;
        return `${nameOf(base)}${suffix}`;
      }
      const logicalId = resource.Ref ?? resource['Fn::GetAtt']?.[0];
      const type = json.Resources[logicalId]?.Type;
      if (type === 'AWS::DynamoDB::Table') return `table:${describeTable(json, logicalId)}`;
      if (type === 'AWS::SQS::Queue') {
        const queue = (['sync', 'sweep'] as const).find(
          (id) => logicalId === logicalIdOf(stack, queueOf(stack, id)),
        );
        return `queue:${queue ?? logicalId}`;
      }
      if (type === 'AWS::KMS::Key') return 'key';
      if (type === 'AWS::SecretsManager::Secret') return `secret:${secretIdOf(stack, logicalId)}`;
      if (type === 'AWS::Logs::LogGroup') {
        return logicalId ===
          logicalIdOf(stack, { node: { defaultChild: handler.ownLogGroup.node.defaultChild } })
          ? 'logs:own'
          : `logs:${logicalId}`;
      }
      return `${type}:${logicalId}`;
    };
    const grants: string[] = [];
    for (const [, policy] of Object.entries(json.Resources).filter(
      ([, r]) => r.Type === 'AWS::IAM::Policy',
    )) {
      if (!(policy.Properties?.Roles ?? []).some((role: Json) => role.Ref === roleId)) continue;
      for (const statement of policy.Properties?.PolicyDocument.Statement ?? []) {
        expect(statement.Effect).toBe('Allow');
        const purposes = statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose'];
        for (const action of [statement.Action].flat()) {
          for (const resource of [statement.Resource].flat()) {
            grants.push(
              `${action} on ${nameOf(resource)}${purposes ? ` for ${[...purposes].sort().join('|')}` : ''}`,
            );
          }
        }
      }
    }
    const role = json.Resources[roleId]?.Properties ?? {};
    expect(role.ManagedPolicyArns ?? [], `${fn}: managed policies`).toEqual([]);
    expect(role.Policies ?? [], `${fn}: inline policies`).toEqual([]);
    return grants.sort();
  }

  const QUEUE_CONSTRUCTS: Record<QueueId, string> = { sync: 'Sync', sweep: 'Sweep' };
  const queueOf = (stack: Synthesized['stack'], queue: QueueId) =>
    stack.node.findChild(QUEUE_CONSTRUCTS[queue]).node.findChild('Queue') as Json;
  const secretIdOf = (stack: Synthesized['stack'], logicalId: string): string => {
    const data = stack.node.findChild('Data') as Json;
    const entry = Object.entries(data.secrets as Record<string, Json>).find(
      ([, secret]) => logicalIdOf(stack, secret) === logicalId,
    );
    return entry?.[0] ?? logicalId;
  };

  /** What access.ts says the function may do, in the same words. */
  function expectedGrants(fn: FunctionId, readsHostKeys: boolean): string[] {
    const access = FUNCTION_ACCESS[fn];
    const grants = ['logs:CreateLogStream on logs:own', 'logs:PutLogEvents on logs:own'];
    for (const store of access.stores) {
      const tableAccess = grantOfStore(store);
      for (const action of tableAccess.actions) grants.push(`${action} on table:${store.table}`);
      for (const index of tableAccess.indexes)
        grants.push(`dynamodb:Query on table:${store.table}/index/${index}`);
    }
    for (const queue of access.sendsTo) {
      grants.push(...QUEUE_SEND_ACTIONS.map((action) => `${action} on queue:${queue}`));
    }
    const polls: Partial<Record<FunctionId, QueueId>> = { syncWorker: 'sync', check: 'sweep' };
    const polled = polls[fn];
    if (polled) {
      // The event source mapping polls the queue with the consumer's role.
      for (const action of [
        'ChangeMessageVisibility',
        'DeleteMessage',
        'GetQueueAttributes',
        'GetQueueUrl',
        'ReceiveMessage',
      ]) {
        grants.push(`sqs:${action} on queue:${polled}`);
      }
    }
    if (access.key) {
      if (access.key.encrypt.length > 0)
        grants.push(`kms:GenerateDataKey on key for ${[...access.key.encrypt].sort().join('|')}`);
      if (access.key.decrypt.length > 0)
        grants.push(`kms:Decrypt on key for ${[...access.key.decrypt].sort().join('|')}`);
    }
    for (const secret of access.secrets) {
      if (secret !== 'hostKeys' || readsHostKeys)
        grants.push(`secretsmanager:GetSecretValue on secret:${secret}`);
    }
    return [...new Set(grants)].sort();
  }

  it.each(FUNCTIONS)(
    '%s: its role grants exactly what its adapters call, on exactly their resources',
    (fn) => {
      const readsHostKeys = fn === 'oauth' || fn === 'notify';
      expect(grantsOf(dev, fn)).toEqual(expectedGrants(fn, readsHostKeys));
      const env = functionResource(dev, fn)?.Properties?.Environment?.Variables ?? {};
      expect('HOST_KEYS_SECRET_ARN' in env).toBe(readsHostKeys);
    },
  );

  it("a narrowed store grant is a part of its adapter's grant", () => {
    for (const fn of FUNCTIONS) {
      for (const store of FUNCTION_ACCESS[fn].stores) {
        if (!store.only) continue;
        const full = ADAPTERS[store.adapter as StoreAdapter].access;
        for (const action of store.only.actions)
          expect(full.actions, `${fn}: ${store.adapter}`).toContain(action);
        for (const index of store.only.indexes)
          expect(full.indexes, `${fn}: ${store.adapter}`).toContain(index);
      }
    }
  });

  it('the check never writes a connection, never seals, never reads a Google secret', () => {
    const grants = grantsOf(dev, 'check');
    expect(grants.filter((grant) => grant.endsWith('on table:connections'))).toEqual([
      'dynamodb:BatchGetItem on table:connections',
    ]);
    expect(grants.filter((grant) => grant.startsWith('kms:'))).toEqual(['kms:Decrypt on key for feed_token']);
    expect(grants.filter((grant) => grant.includes('secret'))).toEqual([]);
    expect(grants.filter((grant) => grant.includes('table:dataKeys'))).toEqual([
      'dynamodb:GetItem on table:dataKeys',
    ]);
  });

  it('host keys are granted only where they are read: the worker with host events, OAuth without intents', () => {
    const variant = synthesize({
      hostEventsUrl: 'https://ics.example.com/hooks/google-sync',
      hostEventsKeyId: 'k2026',
    });
    expect(grantsOf(variant, 'syncWorker')).toEqual(expectedGrants('syncWorker', true));
    const tokenOnly = synthesize({ connectIntents: 'token_only' });
    expect(grantsOf(tokenOnly, 'oauth')).toEqual(expectedGrants('oauth', false));
    expect(
      'HOST_KEYS_SECRET_ARN' in
        (functionResource(tokenOnly, 'oauth')?.Properties?.Environment?.Variables ?? {}),
    ).toBe(false);
  });
});
