import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { STATUS, statusName } from '../../src/shared/status.ts';

const Status = suite('shared/status');

Status('the TypeScript table mirrors assembly/shared/status.ts exactly', () => {
  const source = readFileSync(new URL('../../assembly/shared/status.ts', import.meta.url), 'utf8');
  const wasmTable = Object.fromEntries(
    [...source.matchAll(/export const (\w+): i32 = (-?\d+);/g)].map(([, name, value]) => [name, Number(value)]),
  );
  assert.ok(Object.keys(wasmTable).length >= 5, 'parsed the AssemblyScript table');
  assert.equal(wasmTable, { ...STATUS });
});

Status('codes are unique and named', () => {
  const codes = Object.values(STATUS);
  assert.is(new Set(codes).size, codes.length);
  assert.is(statusName(-1), 'ERR_OUT_OF_MEMORY');
  assert.is(statusName(-9999), 'UNKNOWN_STATUS(-9999)');
});

Status.run();
