/**
 * Layering: the pure layers (src/messages, src/crypto, src/state, src/policy) never
 * import the engine, the adapters, the testing kit or the CLI, import from the ports only the
 * JSON type (`import type` from ports/json), and never read ambient time, randomness, the process
 * or the network/filesystem. Checked on the TypeScript syntax tree, so comments and TSDoc
 * examples (which show host code such as `new Date()`) are not code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const PURE = ['messages', 'crypto', 'state', 'policy'];
/** Top-level src directories the pure layers must never import. */
const FORBIDDEN_LAYERS = ['engine', 'adapters', 'testing', 'cli'];
/** Port modules the pure layers may import, type-only. */
const ALLOWED_PORT_TYPES = ['ports/json.ts'];
/** Node modules doing I/O or reading the process's environment. */
const IO_MODULES = /^(node:)?(fs|net|http|https|http2|tls|dgram|dns|child_process|cluster|worker_threads|os|readline|inspector)(\/|$)/;
/** Identifiers that draw randomness or schedule on wall-clock time, wherever they appear in code. */
const AMBIENT_IDENTIFIERS = new Set(['randomUUID', 'randomBytes', 'randomInt', 'getRandomValues', 'setTimeout', 'setInterval', 'setImmediate']);
/** `<object>.<member>` reads of ambient time or randomness. */
const AMBIENT_MEMBERS: readonly (readonly [string, string])[] = [['Date', 'now'], ['Math', 'random'], ['performance', 'now']];

/** One violation: the file (relative to src), its line and what was found. */
interface Violation {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The src-relative module a relative specifier names (`state/model.ts`), or null for packages. */
function target(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return relative(SRC, resolve(dirname(file), specifier)).split(sep).join('/').replace(/\.js$/, '.ts');
}

/** The name of an expression when it is a plain or `globalThis.`-qualified identifier. */
function globalName(node: ts.Expression): string | null {
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && (node.expression.text === 'globalThis' || node.expression.text === 'global')) return node.name.text;
  if (ts.isParenthesizedExpression(node)) return globalName(node.expression);
  return null;
}

function memberName(node: ts.PropertyAccessExpression | ts.ElementAccessExpression): string | null {
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  return ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression.text : null;
}

/**
 * The violations in one source text. `file` is the path used to resolve relative imports.
 */
function scan(file: string, text: string): Violation[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Violation[] = [];
  const report = (node: ts.Node, rule: string): void => {
    found.push({ file: relative(SRC, file).split(sep).join('/'), line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, rule });
  };
  const checkModule = (node: ts.Node, specifier: string, typeOnly: boolean): void => {
    if (IO_MODULES.test(specifier)) report(node, `imports ${specifier}`);
    const module = target(file, specifier);
    if (module === null) return;
    const layer = module.split('/')[0] ?? '';
    if (FORBIDDEN_LAYERS.includes(layer)) report(node, `imports ${module} (the ${layer} layer)`);
    if (layer === 'ports' && !(typeOnly && ALLOWED_PORT_TYPES.includes(module))) {
      report(node, typeOnly ? `imports types from ${module} (only ${ALLOWED_PORT_TYPES.join(', ')})` : `imports values from ${module}`);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const namedTypeOnly = clause !== undefined && clause.name === undefined && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings)
        && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly);
      checkModule(node, node.moduleSpecifier.text, clause !== undefined && (clause.isTypeOnly || namedTypeOnly));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      const namedTypeOnly = node.exportClause !== undefined && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly);
      checkModule(node, node.moduleSpecifier.text, node.isTypeOnly || namedTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      checkModule(node, node.moduleReference.expression.text, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      checkModule(node, node.argument.literal.text, true);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const arg = node.arguments[0];
      const dynamic = callee.kind === ts.SyntaxKind.ImportKeyword || globalName(callee) === 'require';
      if (dynamic) {
        if (arg !== undefined && ts.isStringLiteralLike(arg)) checkModule(node, arg.text, false);
        else report(node, 'loads a module by a computed name');
      }
    } else if (ts.isNewExpression(node)) {
      if (globalName(node.expression) === 'Date' && (node.arguments === undefined || node.arguments.length === 0)) report(node, 'new Date() reads the wall clock');
    } else if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      const object = globalName(node.expression);
      const member = memberName(node);
      if (object === 'process') report(node, 'reads process');
      for (const [o, m] of AMBIENT_MEMBERS) if (object === o && member === m) report(node, `${o}.${m}`);
    } else if (ts.isIdentifier(node) && AMBIENT_IDENTIFIERS.has(node.text)) {
      report(node, node.text);
    }
    if (ts.isIdentifier(node) && node.text === 'process' && !ts.isPropertyAccessExpression(node.parent) && !ts.isElementAccessExpression(node.parent)
      && !(ts.isPropertyAssignment(node.parent) && node.parent.name === node) && !(ts.isPropertySignature(node.parent) && node.parent.name === node)) {
      report(node, 'reads process');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const files = PURE.flatMap((dir) => walk(join(SRC, dir)));

describe('layering of the pure modules', () => {
  it('finds the files of every pure layer', () => {
    for (const dir of PURE) expect(files.some((f) => relative(SRC, f).startsWith(`${dir}${sep}`)), dir).toBe(true);
    expect(files.length).toBeGreaterThan(100);
  });

  it('imports neither the engine, adapters, testing kit nor CLI; from the ports only the JSON type; and reads no ambient time, randomness, process or I/O', () => {
    const violations = files.flatMap((file) => scan(file, readFileSync(file, 'utf8')));
    expect(violations.map((v) => `${v.file}:${v.line} ${v.rule}`)).toEqual([]);
  });

  it('catches each kind of violation in code, and none in comments, TSDoc examples or strings', () => {
    const file = join(SRC, 'state', 'example.ts');
    const code = [
      "import { createCemEngine } from '../engine/engine.js';",
      "import type { CemPorts } from '../ports/ports.js';",
      "import { cloneJson } from '../ports/json.js';",
      "export { runStoreContract } from '../testing/index.js';",
      "import { parseArgs } from '../cli/args.js';",
      "import { createFileStore } from '../adapters/fs-store/index.js';",
      "import { readFileSync } from 'node:fs';",
      "import * as fs from 'fs/promises';",
      "import { connect } from 'node:net';",
      "import { request } from 'node:http';",
      "const a = Date.now();",
      "const b = new Date();",
      "const c = new globalThis.Date;",
      "const d = Math.random();",
      "const e = crypto.randomUUID();",
      "const f = process.env['TZ'];",
      "const g = await import('../engine/run.js');",
      "const h = Date['now']();",
      "setTimeout(() => undefined, 1);",
    ].join('\n');
    const rules = scan(file, code).map((v) => `${v.line} ${v.rule}`);
    for (let line = 1; line <= 19; line++) expect(rules.some((r) => r.startsWith(`${line} `)), `line ${line}: ${code.split('\n')[line - 1]}`).toBe(true);

    const allowed = [
      "import type { JsonValue } from '../ports/json.js';",
      "export type { JsonValue } from '../ports/json.js';",
      "import { type JsonValue } from '../ports/json.js';",
      "import { transition } from './transition.js';",
      "import { createHash } from 'node:crypto';",
      '/**',
      ' * Host code: `const now = new Date()`, `Date.now()`, `Math.random()`, `process.env`.',
      ' * @example',
      ' * ```ts',
      " * import { createCemEngine } from 'ediint-cem'",
      ' * const ids = randomUUID(); setTimeout(tick, 60_000)',
      ' * ```',
      ' */',
      '// new Date() and Date.now() in a line comment',
      "const message = 'no process.env or Date.now() here';",
      'const at = new Date(now.getTime() + 1000);',
      'const parsed = new Date(Date.parse(text));',
      'const options = { process: true };',
    ].join('\n');
    expect(scan(file, allowed)).toEqual([]);
  });
});
