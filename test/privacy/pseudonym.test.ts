import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPseudonymizer, pseudonymize, ValidationError } from '../../src/index.ts';

const Pseudonym = suite('privacy/pseudonym');
const secret = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);

Pseudonym('stable within a study, unlinkable across studies, keyed by the secret', async () => {
  const a = await createPseudonymizer(secret, 'study-a');
  const b = await createPseudonymizer(secret, 'study-b');
  const other = await createPseudonymizer(Uint8Array.from(secret, (x) => x ^ 1), 'study-a');
  const p1 = await a.pseudonym('MRN-000123');
  assert.match(p1, /^[0-9a-f]{32}$/);
  assert.is(await a.pseudonym('MRN-000123'), p1);
  assert.is.not(await b.pseudonym('MRN-000123'), p1);
  assert.is.not(await other.pseudonym('MRN-000123'), p1);
  assert.is.not(await a.pseudonym('MRN-000124'), p1);
  // Not an unkeyed hash of the value.
  const plain = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('MRN-000123')));
  assert.is.not([...plain.slice(0, 16)].map((x) => x.toString(16).padStart(2, '0')).join(''), p1);
});

Pseudonym('pseudonymize replaces the named columns, keeps the others and empty cells', async () => {
  const out = await pseudonymize(
    { columns: ['mrn', 'age'], rows: [['M1', 30], ['M2', 40], ['M1', 50], ['', 60]] },
    { columns: ['mrn'], secret, study: 's1', length: 16 },
  );
  assert.is(out.rows[0][0], out.rows[2][0]);
  assert.is.not(out.rows[0][0], out.rows[1][0]);
  assert.match(out.rows[0][0], /^[0-9a-f]{16}$/);
  assert.equal(out.rows.map((r) => r[1]), ['30', '40', '50', '60']);
  assert.is(out.rows[3][0], '');
});

Pseudonym('refuses short secrets, empty studies and unknown columns', async () => {
  for (const [fn, pattern] of [
    [() => createPseudonymizer(new Uint8Array(8), 's'), /at least 16 bytes/],
    [() => createPseudonymizer(secret, ''), /study/],
    [() => pseudonymize({ columns: ['a'], rows: [['1']] }, { columns: ['b'], secret, study: 's' }), /no column "b"/],
  ] as const) {
    try {
      await fn();
      assert.unreachable('expected an error');
    } catch (err) {
      assert.instance(err, ValidationError);
      assert.match((err as Error).message, pattern);
    }
  }
});

Pseudonym.run();
