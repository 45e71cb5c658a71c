/**
 * A small in-process stand-in for the Lambda runtime: loads a function's synthesized bundle (`index.js` of
 * its asset folder) and calls its handler with the environment the deployed function has. Invocations run one
 * at a time, each with exactly that environment in `process.env` (plus the SDK endpoint), as Lambda gives it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lambdaContext } from '../../dev/lambda-runtime/api-gateway-event.ts';

export interface DeployedFunction {
  logicalId: string;
  functionName: string;
  /** `index.handler`, `index.enqueueHandler`, ... */
  handler: string;
  timeoutSeconds: number;
  /** The deployed configuration's variables. */
  environment: Record<string, string>;
  /** The asset folder holding the bundle. */
  assetDir: string;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export class LambdaRunner {
  private readonly loaded = new Map<string, Record<string, unknown>>();
  private queue: Promise<unknown> = Promise.resolve();
  private generation = 0;
  /** Log lines the functions wrote (JSON, as Powertools writes them). */
  readonly logs: string[] = [];

  constructor(
    private readonly functions: Record<string, DeployedFunction>,
    /** Added to every function's environment: the SDK endpoint and credentials of moto, Google's base URL. */
    private readonly extraEnvironment: Record<string, string>,
    /**
     * Applied to each deployed value. moto's CloudFormation gives queues AWS's URL (`https://sqs.<region>...`),
     * and the SDK sends SQS calls to a queue URL's own host: the same queue by moto's address.
     */
    private readonly rewriteValue: (value: string) => string = (value) => value,
  ) {}

  /** Invokes one function; invocations are serialised so that each sees only its own environment. */
  invoke<T>(name: string, event: unknown): Promise<T> {
    const run = this.queue.then(() => this.invokeNow<T>(name, event));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async invokeNow<T>(name: string, event: unknown): Promise<T> {
    const fn = this.functions[name];
    if (!fn) throw new Error(`no deployed function ${name}`);
    const [file, exported] = fn.handler.split('.') as [string, string];
    const saved = process.env;
    process.env = { PATH: saved.PATH, ...this.rewrite(fn.environment), ...this.extraEnvironment };
    // Lambda sends a function's output to its log group: here it is kept in `logs`.
    const write = process.stdout.write.bind(process.stdout);
    const writeError = process.stderr.write.bind(process.stderr);
    const keep = ((chunk: string | Uint8Array) => {
      this.logs.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = keep;
    process.stderr.write = keep;
    try {
      const module = await this.load(fn, file);
      const handler = module[exported] as Handler | undefined;
      if (typeof handler !== 'function') throw new Error(`${name}: the bundle exports no ${exported}`);
      return (await handler(event, lambdaContext(fn.functionName, fn.timeoutSeconds * 1000))) as T;
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeError;
      process.env = saved;
    }
  }

  /** The variables with `rewrite` applied to each value (see the constructor). */
  private rewrite(environment: Record<string, string>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(environment).map(([name, value]) => [name, this.rewriteValue(value)]),
    );
  }

  /** The next invocation of every function starts a new container (a fresh import of its bundle). */
  coldStart(): void {
    this.loaded.clear();
    this.generation++;
  }

  private async load(fn: DeployedFunction, file: string): Promise<Record<string, unknown>> {
    const bundle = [`${file}.mjs`, `${file}.js`]
      .map((name) => path.join(fn.assetDir, name))
      .find((candidate) => existsSync(candidate));
    if (!bundle) throw new Error(`${fn.logicalId}: no ${file}.mjs or ${file}.js in ${fn.assetDir}`);
    let module = this.loaded.get(bundle);
    if (!module) {
      module = bundle.endsWith('.js')
        ? this.requireFresh(fn.assetDir, bundle)
        : await this.importFresh(bundle);
      this.loaded.set(bundle, module);
    }
    return module;
  }

  /**
   * A CommonJS bundle, loaded as the Lambda runtime loads one: with `require`, as CommonJS. In Lambda no
   * package.json sits above the code; here the project's ("type": "module") would, so the asset folder (a
   * copy the rehearsal owns) gets one saying CommonJS. A cold start drops it from the require cache.
   */
  private requireFresh(assetDir: string, bundle: string): Record<string, unknown> {
    const marker = path.join(assetDir, 'package.json');
    if (!existsSync(marker)) writeFileSync(marker, '{"type":"commonjs"}\n');
    const load = createRequire(bundle);
    delete load.cache[bundle];
    return load(bundle) as Record<string, unknown>;
  }

  private async importFresh(bundle: string): Promise<Record<string, unknown>> {
    const url = pathToFileURL(bundle);
    if (this.generation > 0) url.search = `container=${this.generation}`;
    return (await import(url.href)) as Record<string, unknown>;
  }
}
