/**
 * Architecture rules measured on the source tree: no function longer than 100 lines in src/, agents/ or
 * workflows/ (the style guide's limit), and cli/ small enough to only parse flags.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const MAX_FUNCTION_LINES = 100;
/** cli/ outside its commands: the program, shared flag parsing, progress bars. */
const MAX_CLI_SHARED_LINES = 350;
/** One command's file: flags, one workflow call, printing. */
const MAX_COMMAND_LINES = 120;

/** A function-like node longer than the limit. */
interface LongFunction {
  readonly file: string;
  readonly name: string;
  readonly lines: number;
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

/** The name a reader would search for: the declaration's own name, or the variable/property it is assigned to. */
function ownName(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name !== undefined) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText(source);
  const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  return `<anonymous at line ${line}>`;
}

/** Every function, method, accessor, constructor and arrow function in `files` longer than `limit` lines. */
function longFunctions(files: readonly string[], limit: number): LongFunction[] {
  const found: LongFunction[] = [];
  for (const path of files) {
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    // A nested function is named by its enclosing ones (`outer/inner`), so a report says where it lives.
    const visit = (node: ts.Node, outer: string): void => {
      let name = outer;
      if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
        const fn = node as ts.FunctionLikeDeclaration;
        name = outer === '' ? ownName(fn, source) : `${outer}/${ownName(fn, source)}`;
        const start = source.getLineAndCharacterOfPosition(fn.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(fn.getEnd()).line;
        const lines = end - start + 1;
        if (lines > limit) found.push({ file: relative(ROOT, path), name, lines });
      }
      ts.forEachChild(node, (child) => visit(child, name));
    };
    visit(source, '');
  }
  return found;
}

function lineCount(path: string): number {
  return readFileSync(path, 'utf8').split('\n').length;
}

describe('architecture', () => {
  it(`no function in src/, agents/ or workflows/ is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const files = ['src', 'agents', 'workflows'].flatMap((dir) => tsFiles(join(ROOT, dir)));
    const tooLong = longFunctions(files, MAX_FUNCTION_LINES).map((f) => `${f.file}:${f.name} (${f.lines} lines)`);
    expect(tooLong).toEqual([]);
  });

  it(`cli/ outside commands/ stays under ${MAX_CLI_SHARED_LINES} lines and each command under ${MAX_COMMAND_LINES}`, () => {
    const files = tsFiles(join(ROOT, 'cli'));
    const commands = files.filter((path) => relative(join(ROOT, 'cli'), path).startsWith('commands'));
    const shared = files.filter((path) => !commands.includes(path)).reduce((sum, path) => sum + lineCount(path), 0);
    expect(shared).toBeLessThan(MAX_CLI_SHARED_LINES);
    const long = commands.filter((path) => lineCount(path) >= MAX_COMMAND_LINES).map((path) => relative(ROOT, path));
    expect(long).toEqual([]);
  });
});
