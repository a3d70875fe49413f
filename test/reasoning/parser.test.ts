import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { atomEq, atomToString, Kind } from '../../src/reasoning/atom.ts';
import { ParseError, Tokenizer, parseAll } from '../../src/reasoning/parser.ts';
import { atomArb } from './arbitrary.ts';

const reader = suite('reader');
reader('print then read gives the same atom, and printing it again the same text (property)', () => {
  fc.assert(
    fc.property(atomArb(), (a) => {
      const text = atomToString(a);
      const back = parseAll(text);
      assert.is(back.length, 1, text);
      assert.ok(atomEq(back[0], a), `${text} read back as ${atomToString(back[0])}`);
      assert.is(atomToString(back[0]), text);
    }),
    { numRuns: 500 },
  );
});
reader('numbers: 64-bit integers, floats in Rust\'s format, out of range is an error', () => {
  assert.equal(parseAll('1 -2 3.5 1e3 -0.0 2.0').map(atomToString), ['1', '-2', '3.5', '1000.0', '-0.0', '2.0']);
  assert.equal(atomToString(parseAll('9223372036854775807')[0]), '9223372036854775807');
  assert.throws(() => parseAll('9223372036854775808'), (e: unknown) => e instanceof ParseError);
});
reader('! is its own token only when alone: !foo is a symbol', () => {
  const [bang, call, word] = parseAll('! (x) !foo');
  assert.is(atomToString(bang), '!');
  assert.is(call.kind, Kind.Expr);
  assert.is(atomToString(word), '!foo');
  assert.equal(parseAll('!(x)').map(atomToString), ['!', '(x)']);
});
reader('strings: escapes read, unknown escapes and unterminated strings are errors', () => {
  assert.equal(parseAll('"a\\"b\\n\\t\\\\ \\x41 \\u{1F600}"').map(atomToString), ['"a\\"b\\n\\t\\\\ A 😀"']);
  assert.throws(() => parseAll('"abc'), (e: unknown) => e instanceof ParseError && /Unclosed/.test(e.message));
  assert.throws(() => parseAll('"\\q"'), (e: unknown) => e instanceof ParseError);
});
reader('comments, nesting and unbalanced brackets', () => {
  assert.equal(parseAll('; a comment\n(a (b ; inner\n c)) ; end').map(atomToString), ['(a (b c))']);
  assert.throws(() => parseAll('(a (b)'), (e: unknown) => e instanceof ParseError && e.offset === 0);
  assert.throws(() => parseAll('(a))'), (e: unknown) => e instanceof ParseError && e.offset === 3);
});
reader('deep nesting does not overflow the stack', () => {
  const deep = `${'('.repeat(50_000)}x${')'.repeat(50_000)}`;
  assert.is(parseAll(deep).length, 1);
});
reader('registered tokens win over numbers and symbols', () => {
  const t = new Tokenizer();
  const one = parseAll('1')[0];
  t.register('answer', () => one);
  assert.equal(parseAll('(answer x)', t).map(atomToString), ['(1 x)']);
});
reader.run();
