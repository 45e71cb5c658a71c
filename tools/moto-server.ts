import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * moto (`moto_server`) is a Python emulator of AWS that, unlike dynalite and fauxqs, enforces KMS encryption
 * contexts, runs SQS redrive policies and deploys CloudFormation templates. It is not an npm package: it is used
 * when it is on the PATH, and whoever needs it says so when it is not.
 */
export interface MotoServer {
  /** Base URL on the loopback interface, e.g. `http://127.0.0.1:41234`. */
  endpoint: string;
  /** Region every client should use (moto keeps state per region). */
  region: string;
  /** Static credentials moto accepts (any are accepted; these keep the SDK from looking elsewhere). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Environment for a child process (an SDK client or a Lambda bundle) pointed at this server. */
  environment(): Record<string, string>;
  stop(): Promise<void>;
}

export const MOTO_REGION = 'us-east-1';
/** moto's default account; ARNs in its answers carry it. */
export const MOTO_ACCOUNT_ID = '123456789012';

/** Whether `moto_server` can be started here; the reason when it cannot. */
export function motoAvailability(): { available: true } | { available: false; reason: string } {
  const probe = spawnSync('moto_server', ['-h'], { stdio: 'ignore', timeout: 20_000 });
  if (probe.error || probe.status !== 0) {
    return {
      available: false,
      reason: 'moto_server is not on the PATH (it ships with the Python package moto[server])',
    };
  }
  return { available: true };
}

/** Starts `moto_server` on a free loopback port and resolves once it answers. */
export async function startMotoServer(options: { quiet?: boolean } = {}): Promise<MotoServer> {
  const port = await freeLoopbackPort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: options.quiet === false ? 'inherit' : 'ignore',
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(endpoint, child);
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  return {
    endpoint,
    region: MOTO_REGION,
    credentials,
    environment: () => ({
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: MOTO_REGION,
      AWS_DEFAULT_REGION: MOTO_REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    }),
    stop: () => stopChild(child),
  };
}

/** Clears every resource of every service (moto's own reset endpoint), so one server can serve several suites. */
export async function resetMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  let exited: string | undefined;
  child.once('exit', () => {
    exited = 'moto_server exited before it answered';
  });
  // A binary that cannot be spawned emits 'error' and never 'exit'.
  child.once('error', (error) => {
    exited = `moto_server could not be started: ${error.message}`;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(exited);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.status < 500) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('moto_server did not answer within 30 s');
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
