#!/usr/bin/env node
// `npm test`: type-check the sources and the tests, run vitest, and end with one summary line
// ("tests: N passed, N failed, N skipped") that CI logs can be read by. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

for (const project of ['tsconfig.json', 'tsconfig.test.json']) {
  if (run(bin('tsc'), ['-p', project, '--noEmit']) !== 0) {
    console.log(`tests: 0 passed, 1 failed (type errors in ${project})`);
    process.exit(1);
  }
}
const out = join(root, 'dist', 'test-results.json');
mkdirSync(dirname(out), { recursive: true });
rmSync(out, { force: true });
const status = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${out}`, ...process.argv.slice(2)]);
if (!existsSync(out)) {
  console.log('tests: 0 passed, 1 failed (vitest produced no results)');
  process.exit(status || 1);
}
const r = JSON.parse(readFileSync(out, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
process.exit(status !== 0 ? status : r.numFailedTests > 0 || r.numTotalTests === 0 ? 1 : 0);
