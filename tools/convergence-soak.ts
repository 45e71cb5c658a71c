/**
 * The nightly-style run of the convergence property (`test/integration/sync/convergence.property.test.ts`):
 * many more runs, with a random seed printed first so a failure can be replayed.
 *
 *   npm run soak:convergence                       # 500 runs, random seed
 *   CONVERGENCE_RUNS=2000 npm run soak:convergence
 *   CONVERGENCE_SEED=123 npm run soak:convergence  # replay a seed (add CONVERGENCE_PATH for fast-check's path)
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const seed = process.env.CONVERGENCE_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const runs = process.env.CONVERGENCE_RUNS ?? '500';
const failures = process.env.CONVERGENCE_FAILURES_FILE ?? join(tmpdir(), `convergence-failures-${seed}.log`);
process.stdout.write(
  `convergence soak: CONVERGENCE_SEED=${seed} CONVERGENCE_RUNS=${runs} (failing histories, as found: ${failures})\n`,
);
const run = spawnSync('npx', ['vitest', 'run', 'test/integration/sync/convergence.property.test.ts'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    CONVERGENCE_SEED: seed,
    CONVERGENCE_RUNS: runs,
    CONVERGENCE_FAILURES_FILE: failures,
    // Runs take about 0.6 s each; shrinking a failure gets 10 minutes more.
    CONVERGENCE_TIME_LIMIT_MS:
      process.env.CONVERGENCE_TIME_LIMIT_MS ?? String(Number(runs) * 2_000 + 600_000),
  },
});
process.stdout.write(`convergence soak: seed was ${seed}\n`);
process.exit(run.status ?? 1);
