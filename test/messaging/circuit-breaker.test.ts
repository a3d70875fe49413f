import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CircuitBreaker, CircuitOpenError } from '../../src/index.ts';

function clock() {
  const c = { t: 0, now: () => c.t };
  return c;
}

const Breaker = suite('messaging/circuit-breaker');

Breaker('opens after the threshold of failures inside the rolling window, not outside it', () => {
  const c = clock();
  const b = new CircuitBreaker({ failureThreshold: 3, recoveryTimeout: 1000, rollingWindow: 100, now: c.now });
  b.recordFailure();
  c.t = 60;
  b.recordFailure();
  c.t = 150; // the first failure has left the window: only 2 inside
  b.recordFailure();
  assert.is(b.state, 'closed');
  c.t = 155;
  b.recordFailure(); // failures at 60, 150, 155: 95 ms apart
  assert.is(b.state, 'open');
  assert.ok(b.isOpen());
  assert.is(b.tryAcquire(), false);
  assert.is(b.getStats().rejected, 1);
});

Breaker('half-open after the recovery timeout allows only halfOpenMaxCalls trials, then closes on success', () => {
  const c = clock();
  const b = new CircuitBreaker({ failureThreshold: 1, recoveryTimeout: 1000, halfOpenMaxCalls: 2, now: c.now });
  b.recordFailure();
  assert.is(b.state, 'open');
  c.t = 999;
  assert.ok(b.isOpen());
  assert.is(b.retryAfterMs(), 1);
  c.t = 1000;
  assert.is(b.state, 'half_open');
  assert.not.ok(b.isOpen());
  assert.ok(b.tryAcquire());
  assert.ok(b.tryAcquire());
  assert.not.ok(b.tryAcquire(), 'third trial refused');
  b.recordSuccess();
  assert.is(b.state, 'closed');
  assert.ok(b.tryAcquire());
});

Breaker('a failed trial re-opens the circuit for another recovery timeout', () => {
  const c = clock();
  const b = new CircuitBreaker({ failureThreshold: 2, recoveryTimeout: 500, now: c.now });
  b.recordFailure();
  b.recordFailure();
  c.t = 500;
  assert.ok(b.tryAcquire());
  b.recordFailure();
  assert.is(b.state, 'open');
  c.t = 999;
  assert.is(b.state, 'open');
  c.t = 1000;
  assert.is(b.state, 'half_open');
  assert.is(b.getStats().opened, 2);
});

Breaker('execute passes results and errors through and fails fast with a clear error when open', async () => {
  const c = clock();
  const b = new CircuitBreaker({ failureThreshold: 2, recoveryTimeout: 30_000, name: 'custodian-agent', now: c.now });
  assert.is(await b.execute(() => 42), 42);
  const boom = new Error('down');
  for (let i = 0; i < 2; i++) {
    try {
      await b.execute(async () => {
        throw boom;
      });
      assert.unreachable();
    } catch (err) {
      assert.is(err, boom);
    }
  }
  let called = false;
  try {
    await b.execute(() => {
      called = true;
    });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, CircuitOpenError);
    const e = err as CircuitOpenError;
    assert.is(e.status, 503);
    assert.is(e.code, 'circuit_open');
    assert.match(e.message, /custodian-agent/);
    assert.is(e.headers?.['retry-after'], '30');
  }
  assert.not.ok(called, 'fn not called while open');
});

Breaker('rejects nonsense settings', () => {
  assert.throws(() => new CircuitBreaker({ failureThreshold: 0 }), /failureThreshold/);
  assert.throws(() => new CircuitBreaker({ recoveryTimeout: -1 }), /recoveryTimeout/);
  assert.throws(() => new CircuitBreaker({ halfOpenMaxCalls: 1.5 }), /halfOpenMaxCalls/);
});

Breaker.run();
