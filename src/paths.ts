import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project's root folder (the one with package.json), found by walking up from this file, so
 * that cards/, locales/ and .m365agentsplayground.yml are found both when running the
 * TypeScript sources (src/) and the compiled output (dist/src/).
 * @throws Error when no package.json is found above this file
 */
export function projectRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}
