import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The emulator is the oracle the product is tested against: it may share the product's time model, never the
 * expansion module whose refusals and instances it is there to check (a product bug there would then be the
 * emulator's too, and no test could catch it). The scan follows relative imports transitively, so reaching the
 * module through a shared file counts as well.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
const EMULATOR = join(ROOT, 'emulator');
const EXPANSION = join(ROOT, 'lambdas', 'shared', 'domain', 'expansion');

/** `import ... from '...'`, `export ... from '...'`, `import '...'` and `import('...')` specifiers. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

function typeScriptFilesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

function relativeImportsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(SPECIFIER)]
    .map((match) => match[1] as string)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => resolve(dirname(file), specifier));
}

/** Every module the emulator reaches, with the emulator file whose imports led there first. */
function reachedModules(): Map<string, string> {
  const reachedFrom = new Map<string, string>();
  const pending = typeScriptFilesUnder(EMULATOR).map((file) => [file, file] as const);
  for (const [file, origin] of pending) reachedFrom.set(file, origin);
  while (pending.length > 0) {
    const [file, origin] = pending.pop() as readonly [string, string];
    for (const target of relativeImportsOf(file)) {
      if (reachedFrom.has(target)) continue;
      reachedFrom.set(target, origin);
      if (target.endsWith('.ts') && !target.startsWith(EXPANSION + sep)) pending.push([target, origin]);
    }
  }
  return reachedFrom;
}

describe('the emulator checks the product rather than agreeing with it', () => {
  it('reaches nothing in the expansion module, directly or through a shared file', () => {
    const offending = [...reachedModules()]
      .filter(([module]) => module === EXPANSION || module.startsWith(EXPANSION + sep))
      .map(([module, origin]) => `${relative(ROOT, origin)} -> ${relative(ROOT, module)}`);
    expect(offending).toEqual([]);
  });

  it('sees the imports it scans (the time model the emulator does share)', () => {
    const timeModel = join(ROOT, 'lambdas', 'shared', 'domain', 'time', 'ics-values.ts');
    expect(reachedModules().has(timeModel)).toBe(true);
  });
});
