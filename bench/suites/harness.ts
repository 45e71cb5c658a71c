import { type Benchmark, medianSeconds } from '../benchmark.ts';

/** Calibrates the runner itself: an empty process's time and memory, the floor under every other figure. */
const benchmarks: Benchmark[] = [
  {
    name: 'runner_baseline',
    async run() {
      return { seconds: await medianSeconds(5, () => undefined) };
    },
  },
];
export default benchmarks;
