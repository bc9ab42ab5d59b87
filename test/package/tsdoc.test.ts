/**
 * Every value exported by a public entry point (functions, classes, constants) carries TSDoc with
 * a summary and an `@example`; every exported type carries at least a summary.
 */
import { readFileSync } from 'node:fs';
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

  it('lists the codes thrown by every exported function whose body can throw a CemError', () => {
    const missing: string[] = [];
    for (const e of all.filter((x) => x.isValue)) {
      const file = entries[e.entry] as string;
      const symbol = checker
        .getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file) as ts.SourceFile) as ts.Symbol)
        .find((s) => s.getName() === e.name) as ts.Symbol;
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const decl = target.declarations?.[0];
      if (!decl || !ts.isFunctionDeclaration(decl)) continue;
      const body = readFileSync(decl.getSourceFile().fileName, 'utf8').slice(decl.getStart(), decl.getEnd());
      const throwsDirectly = /\bthrow new Cem\w*Error\(|\bthrow cem\w*Error\(|\bfail\(/.test(body);
      if (throwsDirectly && !e.tags.includes('throws')) missing.push(`${e.entry}: ${e.name}`);
    }
    expect(missing).toEqual([]);
  });
});
