#!/usr/bin/env node
/**
 * Compiles every `assembly/<domain>/index.ts` into `wasm/<domain>.wasm` with asc.
 *
 * Options come from `asconfig.json` (target `release` unless `--target` says otherwise);
 * a domain may add `assembly/<domain>/asconfig.json` that `extends` the root one.
 *
 *   node bin/build-wasm.js            build all domains
 *   node bin/build-wasm.js metrics    build one domain
 *   node bin/build-wasm.js --check    build into a temp dir and fail if wasm/ differs (CI)
 */
import asc from 'assemblyscript/asc';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const check = args.includes('--check');
const targetIdx = args.indexOf('--target');
const target = targetIdx >= 0 ? args[targetIdx + 1] : 'release';
const only = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--target');

const domains = readdirSync(join(ROOT, 'assembly'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'shared' && existsSync(join(ROOT, 'assembly', d.name, 'index.ts')))
  .map((d) => d.name)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

if (only.length > 0 && domains.length !== only.length) {
  console.error(`unknown domain(s): ${only.filter((n) => !domains.includes(n)).join(', ')}`);
  process.exit(2);
}

const outDir = check ? mkdtempSync(join(tmpdir(), 'healthsync-wasm-')) : join(ROOT, 'wasm');
let failed = false;
for (const domain of domains) {
  const local = join('assembly', domain, 'asconfig.json');
  const config = existsSync(join(ROOT, local)) ? local : 'asconfig.json';
  const outFile = join(outDir, `${domain}.wasm`);
  const { error, stderr } = await asc.main(
    [join('assembly', domain, 'index.ts'), '--config', config, '--target', target, '--outFile', outFile],
    { stdout: process.stdout, stderr: process.stderr, baseDir: ROOT },
  );
  if (error) {
    console.error(`asc failed for ${domain}: ${error.message}\n${stderr.toString()}`);
    failed = true;
    continue;
  }
  if (check) {
    const committed = join(ROOT, 'wasm', `${domain}.wasm`);
    if (!existsSync(committed) || !readFileSync(committed).equals(readFileSync(outFile))) {
      console.error(`wasm/${domain}.wasm does not match a fresh build of assembly/${domain} (run npm run build:wasm and commit)`);
      failed = true;
      continue;
    }
  }
  console.log(`${check ? 'checked' : 'built'} wasm/${domain}.wasm (${readFileSync(outFile).length} bytes)`);
}
if (check) {
  const stray = readdirSync(join(ROOT, 'wasm')).filter((f) => f.endsWith('.wasm') && !domains.includes(f.slice(0, -5)));
  if (stray.length > 0 && only.length === 0) {
    console.error(`stale modules in wasm/ with no assembly source: ${stray.join(', ')}`);
    failed = true;
  }
  rmSync(outDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
