import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The dependency rule lives in biome.json (`noRestrictedImports` per layer), so `npm run lint` refuses a wrong
 * import where it is written. These tests hold the configuration to the rule: each probe is one import written
 * at a real place of the layout, linted with the project's biome.json in a scratch folder, and must be refused or
 * let through as the rule says.
 */
const ROOT = resolve(import.meta.dirname, '../../..');

interface Probe {
  /** Where the importing file sits, as in the repository. */
  file: string;
  specifier: string;
  refused: boolean;
}

const DOMAIN_FILE = 'lambdas/shared/domain/reconcile/probe.ts';
const SHARED_FILE = 'lambdas/shared/adapters/dynamodb/probe.ts';
const EMULATOR_FILE = 'emulator/google/calendar/probe.ts';

const PROBES: Probe[] = [
  // The domain is pure.
  { file: DOMAIN_FILE, specifier: '../../ports/connection-store.ts', refused: true },
  { file: DOMAIN_FILE, specifier: '../../adapters/dynamodb/items.ts', refused: true },
  { file: DOMAIN_FILE, specifier: '../../wiring/clock.ts', refused: true },
  { file: DOMAIN_FILE, specifier: '../../use-cases/request-sync.ts', refused: true },
  { file: DOMAIN_FILE, specifier: '@aws-sdk/client-dynamodb', refused: true },
  { file: DOMAIN_FILE, specifier: '@googleapis/calendar', refused: true },
  { file: DOMAIN_FILE, specifier: 'google-auth-library', refused: true },
  { file: DOMAIN_FILE, specifier: '@aws-lambda-powertools/logger', refused: true },
  { file: DOMAIN_FILE, specifier: '@middy/core', refused: true },
  { file: DOMAIN_FILE, specifier: '../../../sync/engine/apply-plan.ts', refused: true },
  { file: DOMAIN_FILE, specifier: '../time/when.ts', refused: false },
  { file: DOMAIN_FILE, specifier: '../entities/connection.ts', refused: false },
  { file: DOMAIN_FILE, specifier: 'windows-iana', refused: false },
  // shared/ serves every function: it imports none of them.
  { file: SHARED_FILE, specifier: '../../../oauth/config.ts', refused: true },
  { file: SHARED_FILE, specifier: '../../../notify/dependencies.ts', refused: true },
  { file: SHARED_FILE, specifier: '../../../scheduler/config.ts', refused: true },
  { file: SHARED_FILE, specifier: '../../../sync/worker/handler.ts', refused: true },
  { file: SHARED_FILE, specifier: '../../ports/connection-store.ts', refused: false },
  { file: SHARED_FILE, specifier: '@aws-sdk/client-dynamodb', refused: false },
  // The emulator shares the time model and the event type only (and the endpoints table it hands to tests).
  { file: EMULATOR_FILE, specifier: '../../../lambdas/shared/domain/time/when.ts', refused: false },
  { file: EMULATOR_FILE, specifier: '../../../lambdas/shared/domain/google-event.ts', refused: false },
  { file: EMULATOR_FILE, specifier: '../../../lambdas/shared/adapters/google/endpoints.ts', refused: false },
  { file: EMULATOR_FILE, specifier: '../../../lambdas/shared/domain/expansion/index.ts', refused: true },
  { file: EMULATOR_FILE, specifier: '../../../lambdas/shared/domain/ics/read-sources.ts', refused: true },
  { file: EMULATOR_FILE, specifier: '../../../lambdas/shared/ports/calendar-gateway.ts', refused: true },
  { file: EMULATOR_FILE, specifier: '../../../lambdas/sync/engine/apply-plan.ts', refused: true },
  { file: EMULATOR_FILE, specifier: '../oauth/tokens.ts', refused: false },
];

/** The probe files, one per probe, each named after its index so a diagnostic points back to its probe. */
const probePath = (probe: Probe, index: number) => join(dirname(probe.file), `probe-${index}.ts`);

let scratch: string;
/** Relative paths of the probe files Biome refused, from one lint run over all of them. */
let refusedFiles: Set<string>;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'layers-'));
  copyFileSync(join(ROOT, 'biome.json'), join(scratch, 'biome.json'));
  PROBES.forEach((probe, index) => {
    const path = join(scratch, probePath(probe, index));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `import * as probe from '${probe.specifier}';\n\nexport const used = probe;\n`);
  });
  const lint = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'biome'),
    ['lint', '--only=style/noRestrictedImports', '--reporter=github', '--max-diagnostics=none', '.'],
    { cwd: scratch, encoding: 'utf8' },
  );
  if (lint.error) throw lint.error;
  // `::error title=lint/style/noRestrictedImports,file=<absolute path>,line=...::<message>`
  refusedFiles = new Set(
    [...lint.stdout.matchAll(/^::error title=lint\/style\/noRestrictedImports,file=([^,]+),/gm)].map(
      (match) => (match[1] as string).slice(scratch.length + 1),
    ),
  );
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('the dependency rule, as biome.json holds it', () => {
  it.each(PROBES.map((probe, index) => [probe.file, probe.specifier, probe.refused, index] as const))(
    '%s importing %s: refused %s',
    (_file, _specifier, refused, index) => {
      expect(refusedFiles.has(probePath(PROBES[index] as Probe, index))).toBe(refused);
    },
  );

  it('sees the probes (a lint run that found nothing would pass every "allowed" case)', () => {
    expect(refusedFiles.size).toBe(PROBES.filter((probe) => probe.refused).length);
  });
});
