import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RESTRICTED_ZIP3, safeHarbor, ValidationError } from '../../src/index.ts';
import { detectRole } from '../../src/privacy/safe-harbor.ts';

const SafeHarbor = suite('privacy/safe-harbor');

const patients = {
  columns: ['patient_name', 'ssn', 'email', 'phone', 'mrn', 'street_address', 'city', 'zip', 'dob', 'admission_date', 'age', 'sex', 'notes'],
  rows: [
    ['Ann Lee', '123-45-6789', 'ann@example.org', '(617) 555-0100', 'MRN-1', '1 Main St', 'Boston', '02139', '1931-05-02', '2024-03-15', 93, 'F', 'call 617-555-0199 or ann@example.org'],
    ['Bob Roy', '987-65-4321', 'bob@example.org', '617.555.0101', 'MRN-2', '2 Elm St', 'Reno', '89501', '1980-11-30', '2024-07-01', '44', 'M', 'see https://x.example/p/2 from 10.0.0.7'],
    ['Cy Dee', '555-12-3456', 'cy@example.org', '6175550102', 'MRN-3', '3 Oak St', 'Keene', '03601-1234', '1950-01-01', '2023-12-31', 89, 'M', 'moved from 02139 last year'],
  ],
};

SafeHarbor('removes names, SSNs, e-mail, phones, record numbers, street addresses and cities', () => {
  const { columns, report } = safeHarbor(patients, { referenceYear: 2025 });
  assert.equal(columns, ['zip', 'dob', 'admission_date', 'age', 'sex', 'notes']);
  assert.equal(report.removed, ['patient_name', 'ssn', 'email', 'phone', 'mrn', 'street_address', 'city']);
});

SafeHarbor('ZIP codes keep three digits; the 17 small areas become 000', () => {
  const { rows } = safeHarbor(patients, { referenceYear: 2025 });
  assert.equal(rows.map((r) => r[0]), ['021', '895', '000']);
  assert.is(RESTRICTED_ZIP3.length, 17);
  for (const z3 of RESTRICTED_ZIP3) {
    assert.is(safeHarbor({ columns: ['zip'], rows: [[`${z3}45`]] }).rows[0][0], '000');
  }
});

SafeHarbor('dates keep only the year; birth years revealing an age over 89 become one category', () => {
  const { rows } = safeHarbor(patients, { referenceYear: 2025 });
  assert.equal(rows.map((r) => r[1]), ['<=1935', '1980', '1950']);
  assert.equal(rows.map((r) => r[2]), ['2024', '2024', '2023']);
});

SafeHarbor('ages over 89 become 90+, others stay', () => {
  const { rows } = safeHarbor(patients, { referenceYear: 2025 });
  assert.equal(rows.map((r) => r[3]), ['90+', '44', '89']);
});

SafeHarbor('free text loses e-mail addresses, phone numbers, URLs, IP addresses and ZIP codes', () => {
  const { rows, report } = safeHarbor(patients, { referenceYear: 2025 });
  assert.equal(rows.map((r) => r[5]), [
    'call [REDACTED] or [REDACTED]',
    'see [REDACTED] from [REDACTED]',
    'moved from [REDACTED] last year',
  ]);
  assert.is(report.redacted, 5);
});

SafeHarbor('declared roles win over detection; every identifier kind is removable', () => {
  const roles = ['name', 'address', 'city', 'county', 'phone', 'fax', 'email', 'ssn', 'mrn', 'healthPlan', 'account', 'license', 'vehicle', 'device', 'url', 'ip', 'biometric', 'photo', 'otherId'] as const;
  const columns = roles.map((r) => `c_${r}`);
  const dataset = { columns: [...columns, 'kept'], rows: [[...roles.map((r) => `value-${r}`), 'x']] };
  const declared = Object.fromEntries(roles.map((r) => [`c_${r}`, r]));
  const out = safeHarbor(dataset, { columns: { ...declared, kept: 'keep' } });
  assert.equal(out.columns, ['kept']);
  assert.is(out.report.removed.length, 19);
});

SafeHarbor('detection from names and values', () => {
  assert.is(detectRole('FirstName', ['Ann']), 'name');
  assert.is(detectRole('Zip Code', ['02139']), 'zip');
  assert.is(detectRole('dateOfBirth', ['1990-01-01']), 'birthDate');
  assert.is(detectRole('contact', ['a@b.org', 'c@d.net']), 'email');
  assert.is(detectRole('x', ['10.1.2.3']), 'ip');
  assert.is(detectRole('visit', ['2020-01-02']), 'date');
  assert.is(detectRole('diagnosis', ['flu', 'cold']), 'text');
  assert.is(detectRole('diagnosis_name', ['flu']), 'text');
});

SafeHarbor('bad ages, ZIPs and dates name the row and column', () => {
  const bad = (columns: string[], rows: unknown[][], pattern: RegExp) => {
    try {
      safeHarbor({ columns, rows: rows as string[][] });
    } catch (err) {
      assert.instance(err, ValidationError);
      assert.match((err as Error).message, pattern);
      return;
    }
    assert.unreachable('expected an error');
  };
  bad(['age'], [['30'], ['forty']], /row 2, column age: "forty" is not an age/);
  bad(['age'], [['150']], /row 1, column age: "150" is outside \[0, 120\]/);
  bad(['age'], [['-3']], /outside/);
  bad(['zip'], [['2139']], /row 1, column zip: "2139" is not a ZIP code/);
  bad(['dob'], [['1990-02-30']], /not a date/);
  assert.throws(() => safeHarbor(patients, { columns: { nope: 'keep' } }), /no column "nope"/);
});

SafeHarbor.run();
