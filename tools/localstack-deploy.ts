/**
 * The stack on a running LocalStack, through `cdklocal` (aws-cdk-local), always with `-c target=localstack`:
 *
 *   npm run local:bootstrap                  # the CDK bootstrap stack (once per LocalStack instance)
 *   npm run local:deploy                     # bootstrap, replace any stack; outputs in .localstack/outputs.json
 *   npm run local:destroy                    # remove the stack
 *   npm run local:deploy -- -c googleApiBaseUrl=http://host.docker.internal:8788
 *
 * Arguments after `--` go to cdklocal unchanged. `feedUrlTemplate` and `returnToAllowList` are required by the
 * app (lib/config.ts): when neither a `-c` argument nor their environment variable (FEED_URL_TEMPLATE,
 * RETURN_TO_ALLOWLIST) gives them, the example values below are used. The cloud assembly is written to
 * `.localstack/cdk.out`, apart from `cdk.out`. LOCALSTACK_ENDPOINT (when not the default) becomes cdklocal's
 * AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_S3 unless those are set. test/localstack/README.md has the rest.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Everything LocalStack runs leave behind (git-ignored). */
export const LOCALSTACK_DIR = '.localstack';
export const OUTPUTS_FILE = `${LOCALSTACK_DIR}/outputs.json`;
export const CLOUD_ASSEMBLY_DIR = `${LOCALSTACK_DIR}/cdk.out`;
export const DEFAULT_LOCALSTACK_ENDPOINT = 'http://127.0.0.1:4566';

/** Used only when neither `-c` nor the environment names them: enough for the app to synthesize. */
export const EXAMPLE_CONTEXT = {
  feedUrlTemplate: 'https://cal.example.com/ics/{token}.ics',
  returnToAllowList: 'https://cal.example.com/account',
} as const;

const EXAMPLE_VARIABLES: Record<keyof typeof EXAMPLE_CONTEXT, string> = {
  feedUrlTemplate: 'FEED_URL_TEMPLATE',
  returnToAllowList: 'RETURN_TO_ALLOWLIST',
};

export type LocalStackAction = 'bootstrap' | 'deploy' | 'destroy';
export const ACTIONS: readonly LocalStackAction[] = ['bootstrap', 'deploy', 'destroy'];

export const USAGE =
  'usage: tsx tools/localstack-deploy.ts <bootstrap|deploy|destroy> [cdklocal arguments...]';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The context keys given by `-c key=value`, `--context key=value` or `--context=key=value`. */
export function contextKeysIn(args: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    let pair: string | undefined;
    if (arg === '-c' || arg === '--context') pair = args[++i];
    else if (arg.startsWith('--context=')) pair = arg.slice('--context='.length);
    else if (arg.startsWith('-c=')) pair = arg.slice('-c='.length);
    const separator = pair?.indexOf('=') ?? -1;
    if (pair !== undefined && separator > 0) keys.add(pair.slice(0, separator));
  }
  return keys;
}

/** `-c key=value` for each entry, in order. */
export function contextArgs(context: Record<string, string>): string[] {
  return Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
}

export interface CommandOptions {
  env?: NodeJS.ProcessEnv;
  /** Passed to cdklocal after the tool's own arguments (context given here wins over the examples). */
  extraArgs?: readonly string[];
  /** Relative to the repository (default `.localstack/outputs.json`). */
  outputsFile?: string;
}

/**
 * The cdklocal command lines of an action (each an argument list, run one after the other): `deploy` is a
 * bootstrap (idempotent), the removal of a stack already there, and the deploy itself.
 */
export function cdklocalCommands(action: LocalStackAction, options: CommandOptions = {}): string[][] {
  const env = options.env ?? process.env;
  const extra = [...(options.extraArgs ?? [])];
  const given = contextKeysIn(extra);
  if (given.has('target')) throw new UsageError('target is always localstack here; leave out -c target=...');
  const examples = Object.entries(EXAMPLE_CONTEXT).filter(
    ([key]) => !given.has(key) && !env[EXAMPLE_VARIABLES[key as keyof typeof EXAMPLE_CONTEXT]]?.trim(),
  );
  const common = [
    ...contextArgs({ target: 'localstack', ...Object.fromEntries(examples) }),
    '--output',
    CLOUD_ASSEMBLY_DIR,
    ...extra,
  ];
  const bootstrap = ['bootstrap', ...common];
  switch (action) {
    case 'bootstrap':
      return [bootstrap];
    case 'deploy':
      // LocalStack does not implement updating an API Gateway stage (a route change gives the stage a new
      // deployment), so a deploy over an existing stack replaces it; destroying a missing stack does nothing.
      // On LocalStack every stage is disposable.
      return [
        bootstrap,
        ['destroy', '--force', ...common],
        [
          'deploy',
          ...common,
          '--require-approval',
          'never',
          '--outputs-file',
          options.outputsFile ?? OUTPUTS_FILE,
        ],
      ];
    case 'destroy':
      return [['destroy', '--force', ...common]];
  }
}

/**
 * The environment cdklocal runs in. cdklocal finds LocalStack at `http://localhost.localstack.cloud:4566` by
 * default; a LOCALSTACK_ENDPOINT other than the default is handed to it as AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_S3 (cdklocal requires both), unless they are set already.
 */
export function cdklocalEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const endpoint = env.LOCALSTACK_ENDPOINT?.trim().replace(/\/+$/, '');
  if (!endpoint || endpoint === DEFAULT_LOCALSTACK_ENDPOINT || env.AWS_ENDPOINT_URL) return { ...env };
  return { ...env, AWS_ENDPOINT_URL: endpoint, AWS_ENDPOINT_URL_S3: env.AWS_ENDPOINT_URL_S3 ?? endpoint };
}

export interface CdklocalRun {
  code: number;
  /** The last lines of its output (stdout and stderr together), for an error message. */
  tail: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Output goes to this terminal as it comes (the command line tool) instead of being collected. */
  inherit?: boolean;
  /** Appends the whole output here (relative to the repository). */
  logFile?: string;
  /** Also copies the collected output to stderr. */
  echo?: boolean;
}

const TAIL_CHARACTERS = 6_000;

/** Runs `cdklocal <args>` from the repository's own node_modules; resolves with its exit code. */
export function runCdklocal(args: readonly string[], options: RunOptions = {}): Promise<CdklocalRun> {
  mkdirSync(path.join(REPO_ROOT, LOCALSTACK_DIR), { recursive: true });
  const logFile = options.logFile ? path.join(REPO_ROOT, options.logFile) : undefined;
  if (logFile) appendFileSync(logFile, `\n$ cdklocal ${args.join(' ')}\n`);
  const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'cdklocal'), [...args], {
    cwd: REPO_ROOT,
    env: cdklocalEnvironment(options.env ?? process.env),
    stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-TAIL_CHARACTERS);
    if (logFile) appendFileSync(logFile, text);
    if (options.echo) process.stderr.write(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return new Promise((resolve) => {
    child.once('error', (error) =>
      resolve({ code: 127, tail: `${tail}\ncdklocal did not start: ${error.message}` }),
    );
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), tail }));
  });
}

/** The command line tool; returns the exit code. */
export async function runLocalStackDeploy(argv: readonly string[]): Promise<number> {
  const [action, ...extraArgs] = argv;
  let commands: string[][];
  try {
    if (!ACTIONS.includes(action as LocalStackAction)) throw new UsageError(USAGE);
    commands = cdklocalCommands(action as LocalStackAction, { extraArgs });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`localstack: ${error.message}\n`);
    return 2;
  }
  for (const args of commands) {
    process.stdout.write(`> cdklocal ${args.join(' ')}\n`);
    const { code } = await runCdklocal(args, { inherit: true });
    if (code !== 0) {
      process.stderr.write(
        `localstack: cdklocal ${args[0]} failed (exit ${code}); is LocalStack running? (test/localstack/README.md)\n`,
      );
      return code;
    }
  }
  if (action === 'deploy') process.stdout.write(`localstack: stack outputs in ${OUTPUTS_FILE}\n`);
  return 0;
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) process.exitCode = await runLocalStackDeploy(process.argv.slice(2));
