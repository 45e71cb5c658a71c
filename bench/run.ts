/**
 * `npm run bench` prints a table; `npm run --silent bench -- --json` prints one JSON object.
 * `--only a,b` runs a subset. Each benchmark runs in its own process so its peak RSS is its own.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './benchmark.ts';

const here = dirname(fileURLToPath(import.meta.url));
const suitesDir = join(here, 'suites');

async function loadSuites(): Promise<{ file: string; benchmarks: Benchmark[] }[]> {
  const files = readdirSync(suitesDir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  return Promise.all(
    files.map(async (file) => ({
      file,
      benchmarks: ((await import(join(suitesDir, file))) as { default: Benchmark[] }).default,
    })),
  );
}

async function runOne(file: string, name: string, mode: 'run' | 'once'): Promise<void> {
  const suite = ((await import(join(suitesDir, file))) as { default: Benchmark[] }).default;
  const benchmark = suite.find((b) => b.name === name);
  if (!benchmark) throw new Error(`no benchmark ${name} in ${file}`);
  let figures: Record<string, number> = {};
  if (mode === 'once') await benchmark.once?.();
  else figures = await benchmark.run();
  // maxRSS is in kilobytes.
  const peakRssMb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
  process.stdout.write(`${JSON.stringify({ ...figures, peak_rss_mb: peakRssMb })}\n`);
}

function runChild(file: string, name: string, mode: 'run' | 'once'): Record<string, number> {
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--child', file, name, mode],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await runOne(args[1] as string, args[2] as string, args[3] === 'once' ? 'once' : 'run');
    return;
  }
  const json = args.includes('--json');
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set((args[onlyIndex + 1] ?? '').split(',')) : undefined;
  const results: Record<string, Record<string, number>> = {};
  for (const { file, benchmarks } of await loadSuites()) {
    for (const { name, once } of benchmarks) {
      if (only && !only.has(name)) continue;
      const figures = runChild(file, name, 'run');
      if (once) figures.peak_rss_mb = runChild(file, name, 'once').peak_rss_mb as number;
      results[name] = figures;
      if (!json) process.stderr.write(`  done ${name}\n`);
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(results)}\n`);
    return;
  }
  const rows = Object.entries(results).map(([name, figures]) => [
    name,
    Object.entries(figures)
      .map(([k, v]) => `${k}=${v}`)
      .join('  '),
  ]);
  const width = Math.max(9, ...rows.map(([n]) => (n as string).length));
  process.stdout.write(`${'benchmark'.padEnd(width)}  figures\n`);
  for (const [name, figures] of rows) process.stdout.write(`${(name as string).padEnd(width)}  ${figures}\n`);
}

await main();
