/**
 * Jest transformer of the mutation run (jest.mutate.config.js): TypeScript to CommonJS by esbuild,
 * one file at a time (as tsconfig.json's isolatedModules already requires), with inline source
 * maps. ts-jest loads the TypeScript compiler in every fresh Jest worker, which on a loaded
 * machine took longer than a mutant's timeout, so Stryker restarted workers in a loop. Types are
 * checked by `npm run typecheck`, not here. esbuild comes with tsx (a dev dependency).
 * Limitation: esbuild does not hoist `jest.mock` calls, so the tests of the mutation run use none.
 */
const { transformSync } = require('esbuild');

module.exports = {
  /**
   * @param {string} source the file's TypeScript
   * @param {string} filename its path (for the source map)
   * @returns {{ code: string }}
   */
  process(source, filename) {
    const { code } = transformSync(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'es2022',
      sourcemap: 'inline',
      sourcefile: filename,
    });
    return { code };
  },
};
