/**
 * Every value exported by a public entry point (functions, classes, constants) carries TSDoc with
 * a summary and an `@example`; every exported type carries at least a summary; every exported
 * function that can throw (itself, or through the functions of this package it calls) says so
 * with `@throws`.
 */
import { resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { entries } from '../../tsup.config.js';

const program = ts.createProgram(Object.values(entries), {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
});
const checker = program.getTypeChecker();

interface Export {
  readonly entry: string;
  readonly name: string;
  readonly isValue: boolean;
  /** A function or class (as opposed to a constant). */
  readonly isCallable: boolean;
  readonly docs: string;
  readonly tags: readonly string[];
}

function exportsOf(entry: string, file: string): Export[] {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`no source for ${file}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`no module symbol for ${file}`);
  return checker.getExportsOfModule(moduleSymbol).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const isValue = (target.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Variable)) !== 0;
    return {
      entry,
      name: symbol.getName(),
      isValue,
      isCallable: (target.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class)) !== 0,
      docs: ts.displayPartsToString(target.getDocumentationComment(checker)).trim(),
      tags: target.getJsDocTags(checker).map((t) => t.name),
    };
  });
}

const all = Object.entries(entries).flatMap(([entry, file]) => exportsOf(entry, file));

const SRC = `${resolve('src')}${sep}`;

/** Functions whose calls can throw, for one program; `isOurs` says which declarations to follow. */
function throwAnalysis(tc: ts.TypeChecker, isOurs: (node: ts.Node) => boolean) {
  /** The body-carrying function a symbol names: a function, a method, or a const or property initialised with a function. */
  function functionOf(symbol: ts.Symbol | undefined): ts.FunctionLikeDeclaration | undefined {
    if (!symbol) return undefined;
    const target = symbol.flags & ts.SymbolFlags.Alias ? tc.getAliasedSymbol(symbol) : symbol;
    for (const decl of target.declarations ?? []) {
      if (!isOurs(decl)) continue;
      if ((ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl)) && decl.body) return decl;
      const init = ts.isVariableDeclaration(decl) || ts.isPropertyAssignment(decl) ? decl.initializer : undefined;
      if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return init;
    }
    return undefined;
  }

  const throwing = new Map<ts.Node, boolean>();
  const inProgress = new Set<ts.Node>();

  /**
   * An approximation of "calling `fn` can throw": its body has a `throw`, or calls a function of
   * this package that can throw, outside the `try` block of a `try`/`catch` (a `catch` block that
   * rethrows counts). Nested functions count only where they are passed as call arguments
   * (callbacks run now); closures that are returned or stored do not run when `fn` is called.
   * Recursion counts as not throwing while its first visit is open.
   */
  function canThrow(fn: ts.FunctionLikeDeclaration): boolean {
    const known = throwing.get(fn);
    if (known !== undefined) return known;
    if (inProgress.has(fn) || !fn.body) return false;
    inProgress.add(fn);
    let found = false;
    const visit = (node: ts.Node, guarded: boolean): void => {
      if (found) return;
      if (ts.isTryStatement(node)) {
        visit(node.tryBlock, guarded || node.catchClause !== undefined);
        if (node.catchClause) visit(node.catchClause.block, guarded);
        if (node.finallyBlock) visit(node.finallyBlock, guarded);
        return;
      }
      const isCallback = node.parent !== undefined && ts.isCallExpression(node.parent) && node.parent.arguments.includes(node as ts.Expression);
      if (ts.isFunctionLike(node) && !isCallback) return;
      if (!guarded) {
        if (ts.isThrowStatement(node)) {
          found = true;
          return;
        }
        if (ts.isCallExpression(node)) {
          const callee = functionOf(tc.getSymbolAtLocation(ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node.expression));
          if (callee && callee !== fn && canThrow(callee)) {
            found = true;
            return;
          }
        }
      }
      ts.forEachChild(node, (child) => visit(child, guarded));
    };
    visit(fn.body, false);
    inProgress.delete(fn);
    throwing.set(fn, found);
    return found;
  }

  return { functionOf, canThrow };
}

const analysis = throwAnalysis(checker, (node) => {
  const file = node.getSourceFile();
  return !file.isDeclarationFile && resolve(file.fileName).startsWith(SRC);
});

function exportedFunction(e: Export): ts.FunctionLikeDeclaration | undefined {
  const file = entries[e.entry] as string;
  const symbol = checker
    .getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file) as ts.SourceFile) as ts.Symbol)
    .find((s) => s.getName() === e.name);
  return analysis.functionOf(symbol);
}

describe('TSDoc on the public surface', () => {
  it('finds the exports of every entry point', () => {
    expect(all.length).toBeGreaterThan(200);
    for (const entry of Object.keys(entries)) expect(all.some((e) => e.entry === entry), entry).toBe(true);
  });

  it('documents every exported function and class with a summary and an @example', () => {
    const missing = all.filter((e) => e.isCallable && (e.docs === '' || !e.tags.includes('example'))).map((e) => `${e.entry}: ${e.name}`);
    expect(missing).toEqual([]);
  });

  it('documents every exported constant with a summary', () => {
    const missing = all.filter((e) => e.isValue && !e.isCallable && e.docs === '').map((e) => `${e.entry}: ${e.name}`);
    expect(missing).toEqual([]);
  });

  it('documents every exported type with a summary', () => {
    const missing = all.filter((e) => !e.isValue && e.docs === '').map((e) => `${e.entry}: ${e.name}`);
    expect(missing).toEqual([]);
  });

  it('lists what is thrown by every exported function that can throw, itself or through the functions it calls', () => {
    const missing = all
      .filter((e) => e.isValue && !e.tags.includes('throws'))
      .filter((e) => {
        const fn = exportedFunction(e);
        return fn !== undefined && analysis.canThrow(fn);
      })
      .map((e) => `${e.entry}: ${e.name}`);
    expect(missing).toEqual([]);
  });

  it('finds throws through calls, in callbacks and in rethrowing catch blocks, not in caught try blocks or returned closures', () => {
    const text = `
      export function a() { throw new Error('x') }
      export function b() { return [1].map(() => a()) }
      export function c() { try { a() } catch { return 0 } }
      export function d() { try { a() } catch (e) { throw e } }
      export function e() { return () => a() }
      export function f() { return b() }
      const util = { g: () => a() };
      export function h() { return util.g() }
      export function i() { return JSON.parse('{') }`;
    const host = ts.createCompilerHost({});
    const original = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version) => (name === 'probe.ts' ? ts.createSourceFile(name, text, version, true) : original(name, version));
    const probeProgram = ts.createProgram(['probe.ts'], { target: ts.ScriptTarget.ES2022, noLib: true, noEmit: true }, host);
    const tc = probeProgram.getTypeChecker();
    const source = probeProgram.getSourceFile('probe.ts') as ts.SourceFile;
    const probe = throwAnalysis(tc, (node) => node.getSourceFile() === source);
    const names = tc.getExportsOfModule(tc.getSymbolAtLocation(source) as ts.Symbol).filter((sym) => probe.canThrow(probe.functionOf(sym) as ts.FunctionLikeDeclaration)).map((sym) => sym.getName());
    expect(names.sort()).toEqual(['a', 'b', 'd', 'f', 'h']);
    // and on the package itself: a wrapper that only calls throwing functions is found
    const readCertsOnly = all.find((e) => e.entry === 'crypto' && e.name === 'readCertsOnly') as Export;
    expect(analysis.canThrow(exportedFunction(readCertsOnly) as ts.FunctionLikeDeclaration)).toBe(true);
  });
});
