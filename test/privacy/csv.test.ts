import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { detectDelimiter, parseCsvDataset, parseDelimited } from '../../src/privacy/csv.ts';
import { ValidationError } from '../../src/shared/errors.ts';

const Csv = suite('privacy/csv');

Csv('quotes, escaped quotes, embedded delimiters and newlines, CRLF, BOM', () => {
  assert.equal(parseDelimited('a,"b,c","d ""e"""\r\n1,"x\ny",3\r\n', ','), [['a', 'b,c', 'd "e"'], ['1', 'x\ny', '3']]);
  assert.equal(parseCsvDataset('\uFEFFage;sex\n34;F\n\n35;M\n'), { columns: ['age', 'sex'], rows: [['34', 'F'], ['35', 'M']] });
  assert.is(detectDelimiter('a\tb\tc'), '\t');
  assert.throws(() => parseDelimited('a,"b\n', ','), (e: unknown) => e instanceof ValidationError);
});

Csv.run();
