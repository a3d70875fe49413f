#!/usr/bin/env node
/**
 * Runs uvu over `test/**\/*.test.ts` (through tsx), optionally narrowed by a pattern on the path
 * below test/. Only *.test.ts files are ever loaded, so fixtures (child-process scripts) never run
 * inside the test process.
 *
 *   node bin/test.js                      every suite (what `npm test` runs after type-checking)
 *   node bin/test.js 'storage/'           suites whose path matches the pattern
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const filter = process.argv[2];
const pattern = filter ? `^(?=.*\\.test\\.ts$).*(?:${filter})` : '\\.test\\.ts$';
const run = spawnSync(process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', 'test', pattern], { cwd: ROOT, stdio: 'inherit' });
process.exit(run.status ?? 1);
