import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bindHierarchy, encodeHierarchy } from '../../src/privacy/hierarchy.ts';
import { ValidationError } from '../../src/shared/errors.ts';

const Hierarchy = suite('privacy/hierarchy');

Hierarchy('ARX tables (rows or CSV text) bind values to leaves and encode shares', () => {
  const csv = 'Male;*\nFemale;*\n';
  const { hierarchy, rowLeaf } = bindHierarchy('sex', csv, ['Female', 'Male', 'Female']);
  assert.equal(hierarchy.labels, [['Male', 'Female'], ['*', '*']]);
  assert.equal([...rowLeaf], [1, 0, 1]);
  const enc = encodeHierarchy(hierarchy);
  assert.equal([...enc.card], [2, 1]);
  assert.equal([...enc.cover], [1, 1, 2, 2]);
});

Hierarchy('age intervals nest, top-code 90+, and reject bad values', () => {
  const { hierarchy, rowLeaf } = bindHierarchy('age', { type: 'age' }, ['34', 7, '90+', 95]);
  const leaf = (i: number) => rowLeaf[i];
  assert.is(hierarchy.labels[1][leaf(0)], '30-34');
  assert.is(hierarchy.labels[2][leaf(0)], '30-39');
  assert.is(hierarchy.labels[3][leaf(0)], '20-39');
  assert.is(hierarchy.labels[4][leaf(0)], '*');
  assert.is(leaf(2), leaf(3));
  assert.is(hierarchy.leaves[leaf(2)], '90+');
  assert.is(hierarchy.labels[1][leaf(2)], '90+');
  assert.is(hierarchy.labels[3][leaf(2)], '80+');
  assert.is(hierarchy.labels[3][hierarchy.leaves.indexOf('85')], '80+');
  assert.throws(() => bindHierarchy('age', { type: 'interval', min: 0, max: 10, widths: [3, 5] }, ['1']), /not a multiple/);
  assert.throws(() => bindHierarchy('age', { type: 'interval', min: 0, max: 10, widths: [2] }, ['11']), /outside \[0, 10\]/);
});

Hierarchy('dates, ZIP codes, trees and suppression', () => {
  const d = bindHierarchy('dob', { type: 'date' }, ['1984-02-29', '1991-07-04']);
  assert.equal(d.hierarchy.labels.map((l) => l[d.rowLeaf[0]]), ['1984-02-29', '1984-02', '1984', '1980-1989', '*']);
  assert.throws(() => bindHierarchy('dob', { type: 'date' }, ['1985-02-29']), /not a date/);
  const z = bindHierarchy('zip', { type: 'zip' }, ['02139', '02141']);
  assert.equal(z.hierarchy.labels.map((l) => l[z.rowLeaf[0]]), ['02139', '0213*', '021**', '02***', '0****', '*****']);
  const z3 = bindHierarchy('zip', { type: 'zip' }, ['021', '000']);
  assert.equal(z3.hierarchy.labels.map((l) => l[z3.rowLeaf[0]]), ['021', '02*', '0**', '***']);
  assert.throws(() => bindHierarchy('zip', { type: 'zip' }, ['02139', '021']), /not a ZIP code/);
  const t = bindHierarchy('country', { type: 'tree', tree: { '*': { Europe: ['France', 'Italy'], Asia: { East: ['Japan'] } } } }, ['Italy', 'Japan']);
  assert.equal(t.hierarchy.labels.map((l) => l[t.rowLeaf[0]]), ['Italy', 'Italy', 'Europe', '*']);
  assert.equal(t.hierarchy.labels.map((l) => l[t.rowLeaf[1]]), ['Japan', 'East', 'Asia', '*']);
  const s = bindHierarchy('x', { type: 'suppress' }, ['a', 'b', 'a']);
  assert.equal(s.hierarchy.labels, [['a', 'b'], ['*', '*']]);
});

Hierarchy('tables must be trees with unique leaves and equal heights', () => {
  const bad = (rows: string[][], pattern: RegExp) => {
    try {
      bindHierarchy('c', rows, [rows[0][0]]);
    } catch (err) {
      assert.instance(err, ValidationError);
      assert.match((err as Error).message, pattern);
      return;
    }
    assert.unreachable('expected an error');
  };
  bad([['a', 'x', '*'], ['b', 'x', '*'], ['c', 'x', 'y']], /not a tree/);
  bad([['a', '*'], ['a', '*']], /lists the value "a" twice/);
  bad([['a', '*'], ['b']], /has 1 levels, expected 2/);
});

Hierarchy.run();
