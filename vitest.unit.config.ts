import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The fast lane (`npm run test:unit`): the pure tests under test/unit only, in seconds. No network, no emulator,
 * no dynalite, fauxqs or moto: test/support/no-network.ts makes any socket fail the test that opens it.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/unit/**/*.test.ts'],
    setupFiles: ['test/support/no-network.ts'],
    // Pure tests share no state worth a fresh process per file: reusing workers saves most of the start-up.
    isolate: false,
  },
});
