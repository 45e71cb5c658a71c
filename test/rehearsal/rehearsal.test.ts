/**
 * `npm run rehearsal` inside `npm test`: the stack deployed to moto by the CDK CLI and its real bundles run end
 * to end (tools/rehearsal/). Skipped, with its reason, where moto_server is not on the PATH; under CI it must run.
 */
import { describe, expect, it } from 'vitest';
import { motoAvailability } from '../../tools/moto-server.ts';
import { REHEARSAL_WORKAROUNDS } from '../../tools/rehearsal/deploy.ts';
import { runRehearsal } from '../../tools/rehearsal/rehearsal.ts';

const availability = motoAvailability();
const required = Boolean(process.env.CI) || process.env.REQUIRE_MOTO === '1';
const skipReason = availability.available ? '' : availability.reason;
if (skipReason && !required) process.stderr.write(`deploy rehearsal skipped: ${skipReason}\n`);

describe('the deploy rehearsal', () => {
  it.runIf(required && !availability.available)('needs moto_server under CI', () => {
    throw new Error(`CI runs the deploy rehearsal, but ${skipReason}`);
  });

  it.skipIf(!availability.available)(
    `deploys the stack to moto and runs its four bundles end to end${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    async () => {
      const result = await runRehearsal();
      process.stderr.write(`${result.summary}\n`);
      expect(result.summary).toMatch(/^rehearsal passed: .* in [\d.]+ s .*end to end in [\d.]+ s/);
      // Only what the README lists as moto's gaps was taken out of the template.
      for (const [logicalId, why] of Object.entries(result.removed)) {
        const refersTo = / \(refers to (\S+)\)$/.exec(why)?.[1];
        if (refersTo) expect(result.removed, `${logicalId}: ${why}`).toHaveProperty([refersTo]);
        else if (!logicalId.startsWith('Outputs.')) expect(Object.keys(REHEARSAL_WORKAROUNDS)).toContain(why);
      }
    },
    300_000,
  );
});
