import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LimitError, MeTTa, ParseError, ProgramTooLargeError } from '../../src/reasoning/runner.ts';
import { mettaCommand } from '../../src/reasoning/cli.ts';

const DIR = fileURLToPath(new URL('./scripts/', import.meta.url));

// Each script's exact output, from the native evaluator and from the reference machine.
const conformance = suite('conformance scripts');
for (const file of readdirSync(DIR).filter((f) => f.endsWith('.metta'))) {
  for (const engine of ['native', 'reference'] as const) {
    conformance(`${file} (${engine})`, () => {
      const lines: string[] = [];
      const m = new MeTTa({ engine, print: (l) => lines.push(l) });
      lines.push(...m.run(readFileSync(DIR + file, 'utf8')));
      const expected = readFileSync(DIR + file.replace(/\.metta$/, '.expected'), 'utf8');
      assert.is(lines.join('\n') + '\n', expected);
    });
  }
}
conformance.run();

const reader = suite('reader');
reader('unbalanced parentheses and strings are parse errors', () => {
  assert.throws(() => new MeTTa().run('!(+ 1 2'), (e: unknown) => e instanceof ParseError);
  assert.throws(() => new MeTTa().run('(a))'), (e: unknown) => e instanceof ParseError && /right bracket/.test(e.message));
  assert.throws(() => new MeTTa().run('!(println! "abc)'), (e: unknown) => e instanceof ParseError);
  assert.throws(() => new MeTTa().run('!(+ 99999999999999999999 1)'), (e: unknown) => e instanceof ParseError);
});
reader('strings with escapes print like hyperon', () => {
  assert.equal(new MeTTa().run('!"a\\"b\\n"'), []);
  assert.equal(new MeTTa().run('!(id "a\\"b\\n")'), ['["a\\"b\\n"]']);
});
reader('comments and ! spacing', () => {
  assert.equal(new MeTTa().run('; c\n! (+ 1 1) ; x\n!(+ 2 2)'), ['[2]', '[4]']);
});
reader.run();

const limits = suite('limits');
limits('runaway recursion is a clean LimitError', () => {
  const m = new MeTTa({ limits: { maxSteps: 200_000 } });
  assert.throws(() => m.run('(= (loop $x) (loop (+ $x 1))) !(loop 0)'), (e: unknown) => e instanceof LimitError);
});
limits('deep non-tail recursion hits the depth limit, not the JS stack', () => {
  const m = new MeTTa({ limits: { maxDepth: 2_000, maxSteps: 10_000_000 } });
  assert.throws(() => m.run('(= (down $x) (+ 1 (down (- $x 1)))) !(down 100000)'), (e: unknown) => e instanceof LimitError);
});
limits('programs over the size limit are refused', () => {
  assert.throws(() => new MeTTa({ maxProgramBytes: 10 }).run('(a b c d e f g)'), (e: unknown) => e instanceof ProgramTooLargeError);
});
limits.run();

const cli = suite('metta command');
cli('prints println! output then result lines; exit 0', async () => {
  const out: string[] = [];
  const code = await mettaCommand(['p.metta'], { stdout: (l) => out.push(l), stderr: () => {}, readFile: async () => '!(println! "x") !(+ 1 2)' });
  assert.is(code, 0);
  assert.equal(out, ['x', '[()]', '[3]']);
});
cli('parse error prints no results and exits 1', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await mettaCommand(['p.metta'], { stdout: (l) => out.push(l), stderr: (l) => err.push(l), readFile: async () => '!(+ 1 2) (' });
  assert.is(code, 1);
  assert.equal(out, []);
  assert.ok(err[0].includes('Unexpected end of expression'));
});
cli.run();
