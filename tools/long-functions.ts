/**
 * `tsx tools/long-functions.ts [limit]`: lists every function, method and arrow function in the production code
 * (lambdas/**, tests excluded) whose body spans more than `limit` lines (80 unless told). A long function hides
 * its flow; splitting it into named steps lets a reader follow the names. The architecture test
 * test/unit/architecture/function-length.test.ts runs the same scan and fails naming what it finds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const DEFAULT_BODY_LINE_LIMIT = 80;

export interface LongFunction {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  /** Dotted name: `Class.method`, `outer.inner`, or `<anonymous>` for an unnamed callback. */
  name: string;
  /** 1-based line where the body starts. */
  line: number;
  bodyLines: number;
}

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function productionFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const entryPath = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') files.push(...productionFiles(entryPath));
    } else if (
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.test.ts') &&
      !entry.name.endsWith('.d.ts')
    ) {
      files.push(entryPath);
    }
  }
  return files.sort();
}

/** The name a reader would search for: the declaration's own name, or the variable/property it is assigned to. */
function nameOf(node: ts.FunctionLikeDeclaration): string | undefined {
  if (node.name !== undefined && !ts.isComputedPropertyName(node.name)) return node.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return parent.name.getText();
  }
  return undefined;
}

function lineOf(source: ts.SourceFile, position: number): number {
  return source.getLineAndCharacterOfPosition(position).line + 1;
}

/** Scans one file's text; exported so the scan itself can be tested on a snippet. */
export function longFunctionsInText(
  file: string,
  text: string,
  limit = DEFAULT_BODY_LINE_LIMIT,
): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node, enclosing: readonly string[]): void => {
    let scope = enclosing;
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const fn = node as ts.FunctionLikeDeclaration;
      const body = fn.body as ts.Node;
      const name = [...enclosing, nameOf(fn) ?? '<anonymous>'].join('.');
      const start = lineOf(source, body.getStart(source));
      const bodyLines = lineOf(source, body.getEnd()) - start + 1;
      if (bodyLines > limit) found.push({ file, name, line: start, bodyLines });
      scope = [...enclosing, nameOf(fn) ?? '<anonymous>'];
    } else if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      scope = [...enclosing, node.name?.getText() ?? '<class>'];
    }
    ts.forEachChild(node, (child) => visit(child, scope));
  };
  visit(source, []);
  return found;
}

/** Every function in lambdas/** (production code) whose body is longer than `limit` lines. */
export function findLongFunctions(limit = DEFAULT_BODY_LINE_LIMIT, root = repositoryRoot): LongFunction[] {
  return productionFiles(path.join(root, 'lambdas')).flatMap((absolute) =>
    longFunctionsInText(
      path.relative(root, absolute).split(path.sep).join('/'),
      readFileSync(absolute, 'utf8'),
      limit,
    ),
  );
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const limit = process.argv[2] === undefined ? DEFAULT_BODY_LINE_LIMIT : Number(process.argv[2]);
  const long = findLongFunctions(limit).sort((a, b) => b.bodyLines - a.bodyLines);
  for (const fn of long) process.stdout.write(`${fn.bodyLines}\t${fn.file}:${fn.line}\t${fn.name}\n`);
  process.stdout.write(`${long.length} function(s) over ${limit} lines\n`);
  process.exitCode = long.length === 0 ? 0 : 1;
}
