import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULTS, loadConfig } from '../src/config.ts';
import { ValidationError } from '../src/shared/errors.ts';
import { VERSION } from '../src/version.ts';

const Config = suite('config');

Config('defaults', () => {
  const c = loadConfig({});
  assert.equal(c, {
    adminKey: undefined,
    rateLimit: DEFAULTS.rateLimit,
    rateBurst: DEFAULTS.rateLimit,
    bodyLimitBytes: 1024 * 1024,
    alertWebhook: undefined,
    pseudonymSecret: undefined,
  });
});

Config('reads the environment', () => {
  const c = loadConfig({
    HEALTHSYNC_ADMIN_KEY: 'a'.repeat(20),
    HEALTHSYNC_RATE_LIMIT: '2.5',
    HEALTHSYNC_BODY_LIMIT: '1000',
    HEALTHSYNC_ALERT_WEBHOOK: 'https://ops.example/hooks/healthsync',
  });
  assert.is(c.alertWebhook, 'https://ops.example/hooks/healthsync');
  assert.is(c.adminKey, 'a'.repeat(20));
  assert.is(c.rateLimit, 2.5);
  assert.is(c.rateBurst, 2.5);
  assert.is(c.bodyLimitBytes, 1000);
});

Config('invalid values name the variable', () => {
  for (const [name, value] of [
    ['HEALTHSYNC_RATE_LIMIT', '0'],
    ['HEALTHSYNC_RATE_LIMIT', 'fast'],
    ['HEALTHSYNC_BODY_LIMIT', '1.5'],
    ['HEALTHSYNC_ADMIN_KEY', 'short'],
    ['HEALTHSYNC_ALERT_WEBHOOK', 'ftp://ops.example/hook'],
    ['HEALTHSYNC_ALERT_WEBHOOK', 'not a url'],
    ['HEALTHSYNC_PSEUDONYM_SECRET', 'too-short'],
  ]) {
    try {
      loadConfig({ [name]: value });
      assert.unreachable(`${name}=${value} accepted`);
    } catch (err) {
      assert.instance(err, ValidationError);
      assert.is((err as ValidationError).field, name);
    }
  }
});

Config('VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  assert.is(VERSION, pkg.version);
});

Config.run();
