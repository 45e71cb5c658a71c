import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BODY_LINE_LIMIT,
  findLongFunctions,
  longFunctionsInText,
} from '../../../tools/long-functions.ts';

/**
 * Functions allowed over the limit, by `file:name`, each with the reason it reads better whole. Keep it to a
 * couple: a long function hides its flow, and named steps show it.
 */
const ALLOWED_LONG_FUNCTIONS: ReadonlyMap<string, string> = new Map([]);

describe('function length', () => {
  it(`no production function in lambdas/ has a body over ${DEFAULT_BODY_LINE_LIMIT} lines`, () => {
    const offenders = findLongFunctions()
      .filter((fn) => !ALLOWED_LONG_FUNCTIONS.has(`${fn.file}:${fn.name}`))
      .map((fn) => `${fn.file}:${fn.line} ${fn.name} (${fn.bodyLines} lines)`);
    expect(offenders, 'split these into named steps (see tools/long-functions.ts)').toEqual([]);
  });

  it('the scan finds functions, methods and arrows by the names a reader searches for', () => {
    const body = (lines: number) => Array.from({ length: lines }, (_, i) => `  step${i}();`).join('\n');
    const text = [
      `export function longDeclaration() {\n${body(5)}\n}`,
      `const longArrow = () => {\n${body(5)}\n};`,
      `class Runner {\n  run() {\n${body(5)}\n  }\n}`,
      `function short() {\n${body(2)}\n}`,
    ].join('\n');
    const found = longFunctionsInText('snippet.ts', text, 6).map((fn) => [fn.name, fn.bodyLines]);
    expect(found).toEqual([
      ['longDeclaration', 7],
      ['longArrow', 7],
      ['Runner.run', 7],
    ]);
  });
});
