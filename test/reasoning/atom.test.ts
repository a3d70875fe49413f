import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { atomToString, float, formatFloat, int, quoteString, str, sym } from '../../src/reasoning/atom.ts';

const atoms = suite('atoms');
atoms('symbols are interned: one object per name while in use', () => {
  assert.ok(sym('interned-name') === sym('interned-name'));
  assert.not.ok(sym('a') === sym('b'));
});
atoms('printing follows hyperon: floats as Rust debug, strings quoted, i64 wrapping', () => {
  assert.equal([1.5, 3, -0, 1e16, 1.5e-7, 123456.789].map(formatFloat), ['1.5', '3.0', '-0.0', '1e16', '1.5e-7', '123456.789']);
  assert.is(quoteString('a"b\n\t\\'), '"a\\"b\\n\\t\\\\"');
  assert.is(atomToString(int(2n ** 63n)), '-9223372036854775808');
  assert.is(atomToString(float(6)), '6.0');
  assert.is(atomToString(str('x')), '"x"');
});
atoms.run();
