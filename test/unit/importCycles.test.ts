import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * No import circles in src/ (issue 28): a module that imports, directly or through others, a
 * module that imports it back makes the two one unit that cannot be read, tested or layered
 * apart. Every import and re-export counts, type-only ones included (they tie the modules'
 * meaning together even when the compiled code drops them). Modules are resolved with
 * TypeScript's own module resolution and the project's compiler options (tsconfig.json), so an
 * index file, a path without extension or a re-export resolves as tsc resolves it.
 */

const ROOT = join(__dirname, '..', '..');
const SRC = join(ROOT, 'src');

/**
 * Circles known and accepted, each as its modules (relative to src/, sorted) with the reason.
 * None today; one added here must say why it cannot be cut.
 */
const KNOWN: readonly { readonly modules: readonly string[]; readonly reason: string }[] = [];

/** The project's compiler options, as tsc reads them. */
function compilerOptions(): ts.CompilerOptions {
  const file = ts.findConfigFile(ROOT, (f) => ts.sys.fileExists(f), 'tsconfig.json');
  if (!file) throw new Error('no tsconfig.json');
  const { config } = ts.readConfigFile(file, (f) => ts.sys.readFile(f));
  return ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options;
}

/** Every TypeScript file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/**
 * The modules of src/ each file imports: `import … from`, `export … from`, `import x = require()`
 * and `import('…')` with a literal, resolved to files (packages are left out).
 */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const options = compilerOptions();
  const inSrc = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles.flatMap(({ fileName }) => {
      const found = ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule;
      const target = found && resolve(found.resolvedFileName);
      return target && inSrc.has(target) ? [target] : [];
    });
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * The import circles of a graph: its strongly connected components of more than one module, or of
 * one module that imports itself (Tarjan's algorithm), each sorted, in sorted order.
 */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => a.join().localeCompare(b.join()));
}

describe('import circles', () => {
  it.each([
    ['none', { a: ['b'], b: ['c'], c: [] }, []],
    ['two modules', { a: ['b'], b: ['a'] }, [['a', 'b']]],
    ['through a third', { a: ['b'], b: ['c'], c: ['a'], d: ['a'] }, [['a', 'b', 'c']]],
    ['a module importing itself', { a: ['a'] }, [['a']]],
    [
      'two apart',
      { a: ['b'], b: ['a'], c: ['d'], d: ['c'] },
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
  ])('are found in a graph: %s', (_name, edges, expected) => {
    expect(circles(new Map(Object.entries(edges)))).toEqual(expected);
  });

  it('resolves the imports of src/ (the scan sees them)', () => {
    const graph = importGraph(sources(SRC));
    const app = graph.get(join(SRC, 'app.ts')) ?? [];
    expect(app).toContain(join(SRC, 'config.ts'));
    // A folder's index, and a type-only import (src/link/procedure.ts imports types of state/).
    expect(graph.get(join(SRC, 'index.ts'))).toContain(join(SRC, 'telemetry', 'index.ts'));
    expect(graph.get(join(SRC, 'link', 'procedure.ts'))).toContain(
      join(SRC, 'state', 'changeRecords.ts'),
    );
  });

  it('are none in src/ but the known ones', () => {
    const found = circles(importGraph(sources(SRC))).map((c) => c.map((f) => relative(SRC, f)));
    expect(found).toEqual(KNOWN.map((k) => [...k.modules]));
  });
});
