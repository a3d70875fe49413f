import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../src/index.ts';
import { checkLabels, checkMetricName, identifierShape, seriesKey } from '../../src/metrics/labels.ts';

const Labels = suite('metrics/labels');

Labels('keys that name a personal identifier are refused', () => {
  for (const key of ['patient_id', 'patientId', 'PatientID', 'ssn', 'mrn', 'email', 'user_email', 'phone_number', 'dob', 'date_of_birth', 'home_address', 'zip', 'insurance_id', 'first_name']) {
    assert.throws(() => checkLabels({ [key]: 'x' }), (e: unknown) => e instanceof ValidationError && e.field === `tags.${key}`, key);
  }
});

Labels('values shaped like identifiers are refused', () => {
  for (const value of ['jane.doe@example.org', '123-45-6789', '123456789', '+1 (555) 123-4567', '555.123.4567', '1984-07-12', '07/12/1984']) {
    assert.ok(identifierShape(value), value);
    assert.throws(() => checkLabels({ route: value }), (e: unknown) => e instanceof ValidationError, value);
  }
});

Labels('ordinary labels pass and come back sorted and frozen', () => {
  const labels = checkLabels({ route: '/agents/:id/stats', method: 'GET', agent: 'custodian-7f3a', status: '200' });
  assert.equal(Object.keys(labels), ['agent', 'method', 'route', 'status']);
  assert.ok(Object.isFrozen(labels));
  for (const value of ['550e8400-e29b-41d4-a716-446655440000', 'v1.2.3', 'select_consent', '42']) assert.is(identifierShape(value), undefined, value);
});

Labels('shape rules: keys, values, counts', () => {
  assert.throws(() => checkLabels({ '1bad': 'x' }));
  assert.throws(() => checkLabels({ __name__: 'x' }));
  assert.throws(() => checkLabels({ k: '' }));
  assert.throws(() => checkLabels({ k: 'a\nb' }));
  assert.throws(() => checkLabels({ k: 'x'.repeat(129) }));
  assert.throws(() => checkLabels({ k: 5 }));
  assert.throws(() => checkLabels(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v']))));
  assert.throws(() => checkLabels([]));
  assert.equal(checkLabels(undefined), {});
  assert.is(checkMetricName('http.request:duration-ms'), 'http.request:duration-ms');
  assert.throws(() => checkMetricName('9lives'));
  assert.throws(() => checkMetricName(''));
});

Labels('series keys do not depend on key order and cannot collide by concatenation', () => {
  assert.is(seriesKey('m', { a: '1', b: '2' }), seriesKey('m', { b: '2', a: '1' }));
  assert.is.not(seriesKey('m', { a: '1b' }), seriesKey('m', { a: '1', b: '' }));
});

Labels.run();
