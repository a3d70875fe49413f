import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ETHICS_KB } from '../../src/reasoning/kb.ts';

const kb = suite('embedded knowledge base');
kb('src/reasoning/kb.ts holds kb/ethics.metta exactly (regenerate: node bin/embed-kb.js)', () => {
  assert.ok(ETHICS_KB === readFileSync(new URL('../../kb/ethics.metta', import.meta.url), 'utf8'), 'run: node bin/embed-kb.js');
});
kb.run();
