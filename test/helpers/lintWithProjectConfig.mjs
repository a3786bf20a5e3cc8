// Lints code as if it were files of the project, with the project's own ESLint configuration,
// through ESLint's Node API (https://eslint.org/docs/latest/integrate/nodejs-api: `new ESLint`
// with `overrideConfigFile`, `lintText` with `filePath`, `calculateConfigForFile`). It runs as its
// own Node process because the flat config is an ES module, which Jest's CommonJS runtime cannot
// import (test/unit/layerRules.test.ts). Reads `{ root, lint: [{ filePath, code }], configFor:
// [filePath] }` as JSON on stdin; writes `{ lint: [[{ ruleId, message }]], configFor: [severity] }`
// (each file's `no-restricted-imports` severity: 0 off, 2 error).
import { ESLint } from 'eslint';
import { join } from 'node:path';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { root, lint, configFor } = JSON.parse(input);
const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.config.mjs') });
const out = { lint: [], configFor: [] };
for (const { filePath, code } of lint) {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  out.lint.push((result?.messages ?? []).map((m) => ({ ruleId: m.ruleId, message: m.message })));
}
for (const filePath of configFor) {
  const config = await eslint.calculateConfigForFile(join(root, filePath));
  out.configFor.push(config?.rules?.['no-restricted-imports']?.[0] ?? 0);
}
process.stdout.write(JSON.stringify(out));
