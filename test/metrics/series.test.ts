import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Series } from '../../src/metrics/series.ts';

const S = suite('metrics/series');
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 60_000);

S('only the open slot takes records; closed slots merge into minutes and the total', () => {
  const s = new Series('x', {}, 'ms', 'x', T0, {});
  try {
    s.record(1, false, T0);
    s.record(2, true, T0 + 10_000);
    s.record(3, false, T0 + 70_000);
    const total = s.snapshot('total', T0 + 70_000);
    assert.is(total.h.count, 3);
    assert.is(total.errors, 1);
    total.h.close();
    const minute = s.snapshot('1m', T0 + 70_000);
    assert.is(minute.h.count, 1, 'the last minute is the slots of 20..70 s: the 10 s one is out');
    minute.h.close();
    const five = s.snapshot('5m', T0 + 70_000);
    assert.is(five.h.count, 3);
    five.h.close();
    const later = s.snapshot('1m', T0 + 200_000);
    assert.is(later.h.count, 0);
    later.h.close();
    assert.is(s.count, 3);
    assert.ok(s.footprint > 0);
  } finally {
    s.close();
  }
});

S('after a WASM trap the series start over instead of failing forever (own process)', () => {
  const script = fileURLToPath(new URL('./fixtures/trap-recovery.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
  assert.is(r.stdout.trim(), 'ok', r.stderr);
});

S.run();
