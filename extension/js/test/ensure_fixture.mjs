#!/usr/bin/env node
/**
 * `npm test` setup: (re)builds test/.fixture/ with the project venv's Python
 * when it is missing or was built by a different make_fixture.py, a different
 * model_export/ (the code that trains and exports models) or different
 * synthetic test clips.
 *
 * Python is PAC_PYTHON if set, else <repo>/.venv/bin/python. When no Python
 * is found the fixture is left missing and the fixture-based tests skip.
 * A failing make_fixture.py fails `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import { FIXTURE_DIR } from './fixture.js';

const testDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(testDir, '..', '..', '..');
const script = path.join(testDir, 'make_fixture.py');
const stampPath = path.join(FIXTURE_DIR, 'make_fixture.sha256');

/** Every .py and .json file under `folder`, sorted. */
function sourcesUnder(folder) {
  return readdirSync(folder, { recursive: true })
    .filter((name) => /\.(py|json)$/.test(name) && !name.includes('__pycache__'))
    .sort()
    .map((name) => path.join(folder, name))
    .filter((file) => statSync(file).isFile());
}

const sources = [
  script,
  path.join(repoRoot, 'tests', 'synthetic.py'),
  ...sourcesUnder(path.join(repoRoot, 'model_export')),
];
const hash = createHash('sha256');
for (const source of sources) {
  hash.update(path.relative(repoRoot, source)).update(readFileSync(source));
}
const sourcesHash = hash.digest('hex');
const upToDate =
  existsSync(path.join(FIXTURE_DIR, 'expected.json')) &&
  existsSync(stampPath) &&
  readFileSync(stampPath, 'utf8').trim() === sourcesHash;

if (!upToDate) {
  const python = process.env.PAC_PYTHON || path.join(repoRoot, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    process.stderr.write(
      `ensure_fixture: no Python at ${python} (set PAC_PYTHON); fixture tests will skip\n`,
    );
    process.exit(0);
  }
  process.stderr.write(`ensure_fixture: building ${FIXTURE_DIR} with ${python} ...\n`);
  const result = spawnSync(python, [script, FIXTURE_DIR], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(result.stderr ?? '');
    process.stderr.write(`ensure_fixture: make_fixture.py failed (exit ${result.status})\n`);
    process.exit(1);
  }
  writeFileSync(stampPath, `${sourcesHash}\n`);
}
