/**
 * module_init: each function bundled as the stack bundles it (HOUSE_BUNDLING: minified CommonJS, the
 * `@aws-sdk/client-*` packages left to the runtime), then, per function, the bundle's size in bytes and the
 * time to import it in a fresh `node` process (median of 5), with the SDK clients resolvable from
 * node_modules as the runtime provides them. The composition, and with it the SDK clients, loads on the first
 * request: `<fn>_sdk_clients_ms` is the import of those clients alone, what that first request adds (the
 * runtime's part). Targets: notify and the scheduler at most 250 KB each, every init at most 100 ms.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { HOUSE_BUNDLING } from '../../lib/constructs/house-function.ts';
import type { Benchmark } from '../benchmark.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FUNCTIONS = {
  oauth: 'lambdas/oauth/index.ts',
  notify: 'lambdas/notify/index.ts',
  scheduler: 'lambdas/scheduler/index.ts',
  sync: 'lambdas/sync/index.ts',
  check: 'lambdas/check/index.ts',
} as const;
const INIT_RUNS = 5;

/** Bundles one entry into `outdir/index.js` with the stack's options; returns the bundle's path. */
async function bundle(entry: string, outdir: string): Promise<string> {
  const outfile = join(outdir, 'index.js');
  await build({
    entryPoints: [join(projectRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: HOUSE_BUNDLING.format,
    target: HOUSE_BUNDLING.target,
    minify: HOUSE_BUNDLING.minify,
    sourcemap: HOUSE_BUNDLING.sourceMap,
    sourcesContent: HOUSE_BUNDLING.sourcesContent,
    mainFields: [...HOUSE_BUNDLING.mainFields],
    external: [...HOUSE_BUNDLING.externalModules],
    logLevel: 'silent',
  });
  return outfile;
}

/**
 * Milliseconds to load `specifiers` in a fresh process (what a cold start spends on module init), with
 * `require`, as the Lambda runtime loads a CommonJS handler and as the bundle loads the SDK clients.
 */
function requireMs(specifiers: string[], cwd: string): number {
  const script = `const t = performance.now(); for (const s of ${JSON.stringify(specifiers)}) require(s); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-central-1',
      POWERTOOLS_SERVICE_NAME: 'module-init',
      POWERTOOLS_METRICS_NAMESPACE: 'ModuleInit',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
  });
  return Number(out);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const benchmarks: Benchmark[] = [
  {
    name: 'module_init',
    async run() {
      const work = mkdtempSync(join(tmpdir(), 'module-init-'));
      try {
        // The bundles import the SDK clients by name, found here as the runtime's node_modules.
        symlinkSync(join(projectRoot, 'node_modules'), join(work, 'node_modules'), 'dir');
        const figures: Record<string, number> = {};
        for (const [name, entry] of Object.entries(FUNCTIONS)) {
          const file = await bundle(entry, join(work, name));
          figures[`${name}_bytes`] = statSync(file).size;
          const init = Array.from({ length: INIT_RUNS }, () => requireMs([file], work));
          figures[`${name}_init_ms`] = Math.round(median(init) * 10) / 10;
          // The runtime's SDK clients the bundle requires (on its first request), imported on their own.
          const clients = [
            ...new Set(readFileSync(file, 'utf8').match(/(?<=require\(")@aws-sdk\/client-[\w-]+/g)),
          ];
          const sdk = Array.from({ length: INIT_RUNS }, () => requireMs(clients, work));
          figures[`${name}_sdk_clients_ms`] = Math.round(median(sdk) * 10) / 10;
        }
        return figures;
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  },
];
export default benchmarks;
