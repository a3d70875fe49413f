import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const BIN = fileURLToPath(new URL('../../bin/healthsync.js', import.meta.url));
let dir = '';

function metta(source: string): { code: number | null; stdout: string; stderr: string } {
  const file = join(dir, `p${Math.random().toString(36).slice(2)}.metta`);
  writeFileSync(file, source);
  const r = spawnSync(process.execPath, [BIN, 'metta', file], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cli = suite('healthsync metta FILE (a real process)');
cli.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'healthsync-metta-'));
});
cli.after(() => rmSync(dir, { recursive: true, force: true }));
cli('prints println! output, then one line per !, and exits 0', () => {
  const r = metta('; squares\n(= (sq $x) (* $x $x))\n!(sq 4)\n!(println! "hello")\n!(superpose (a "b" 1.5))\n!(+ 1 2.0)\n');
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'hello\n[16]\n[()]\n[a, "b", 1.5]\n[3.0]\n');
});
cli('the knowledge base file loads (it has no ! lines, so nothing is printed)', () => {
  const kb = fileURLToPath(new URL('../../kb/ethics.metta', import.meta.url));
  const r = spawnSync(process.execPath, [BIN, 'metta', kb], { encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '');
});
cli('import! loads a knowledge-base file beside the program', () => {
  writeFileSync(join(dir, 'lib.metta'), '(= (level x) high)\n');
  const r = metta('!(import! &self lib)\n!(level x)\n!(import! &self missing)\n');
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '[()]\n[high]\n[(Error (import! GroundingSpace-top missing) module not found: missing)]\n');
});
cli('a parse error prints no results and exits non-zero', () => {
  const r = metta('!(+ 1 2)\n(');
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /Unexpected end of expression/);
});
cli('an error result is printed and stops the run, exit 0 (as hyperon)', () => {
  const r = metta('!(/ 1 0)\n!(+ 1 1)\n');
  assert.is(r.code, 0);
  assert.is(r.stdout, '[(Error (/ 1 0) DivisionByZero)]\n');
});
cli.run();
