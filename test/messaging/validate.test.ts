import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../src/shared/errors.ts';
import { DEFAULT_MESSAGE_DEFAULTS, normalizeMessage } from '../../src/messaging/validate.ts';

const base = { id: 'm1', sender: 'a', recipient: 'b', messageType: 't', payload: { x: 1 }, priority: 2, timeout: 500 };

function reason(input: unknown, path?: string): { message: string; field: string | undefined } {
  try {
    normalizeMessage(input, DEFAULT_MESSAGE_DEFAULTS, path);
  } catch (err) {
    assert.instance(err, ValidationError);
    return { message: (err as ValidationError).message, field: (err as ValidationError).field };
  }
  throw new Error('expected a ValidationError');
}

const Validate = suite('messaging/validate');

Validate('returns a complete message as is and fills defaults otherwise', () => {
  assert.is(normalizeMessage(base, DEFAULT_MESSAGE_DEFAULTS), base);
  const filled = normalizeMessage({ sender: 'a', recipient: 'b', messageType: 't', payload: null }, DEFAULT_MESSAGE_DEFAULTS);
  assert.is(filled.priority, 1);
  assert.is(filled.timeout, 30_000);
  assert.match(filled.id, /^[0-9a-f-]{36}$/);
});

Validate('names the exact field and reason', () => {
  assert.equal(reason({ ...base, sender: undefined }), { message: 'sender is required', field: 'sender' });
  assert.equal(reason({ ...base, recipient: '' }), { message: 'recipient must not be empty', field: 'recipient' });
  assert.equal(reason({ ...base, messageType: 7 }), { message: 'messageType must be a string', field: 'messageType' });
  assert.equal(reason({ ...base, payload: undefined }).field, 'payload');
  assert.equal(reason({ ...base, priority: 4 }, 'messages[3]'), {
    message: 'messages[3].priority must be an integer from 0 (LOW) to 3 (CRITICAL), got 4',
    field: 'messages[3].priority',
  });
  assert.is(reason({ ...base, priority: 1.5 }).field, 'priority');
  assert.is(reason({ ...base, timeout: 0 }).field, 'timeout');
  assert.is(reason({ ...base, timeout: 3_600_001 }).field, 'timeout');
  assert.is(reason({ ...base, id: 'x'.repeat(256) }).field, 'id');
  assert.is(reason({ ...base, batchKey: 5 }).field, 'batchKey');
  assert.is(reason({ ...base, timestamp: -1 }).field, 'timestamp');
  assert.is(reason(null).field, 'message');
  assert.is(reason([1], 'messages[0]').field, 'messages[0]');
});

Validate('never reads a lazy payload (a codec view decodes it only when a handler does)', () => {
  let reads = 0;
  class View {
    id = 'v1';
    sender = 'a';
    recipient = 'b';
    messageType = 't';
    priority = 1;
    timeout = 100;
    get payload(): unknown {
      reads++;
      return { big: true };
    }
  }
  const view = new View();
  assert.is(normalizeMessage(view, DEFAULT_MESSAGE_DEFAULTS), view as unknown);
  assert.is(reads, 0);
});

Validate.run();
