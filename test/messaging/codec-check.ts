/**
 * Run as a child process by codec.test.ts, with `--disallow-code-generation-from-strings`, or
 * with the argument `refuse-later` (code generation refused only after start-up, as on
 * Cloudflare Workers): the codec must build objects key by key and give the same results as
 * the reference. Prints "ok <compiled?>" or throws.
 */
import { isDeepStrictEqual } from 'node:util';
import { decodeBatch, decodeBatchReference, decodeMessage, encodeBatch, encodeBatchReference, encodeMessage } from '../../src/index.ts';
import { envelope } from './frames.ts';

if (process.argv[2] === 'refuse-later') {
  globalThis.Function = function refuse(): never {
    throw new EvalError('Code generation from strings disallowed for this context');
  } as unknown as FunctionConstructor;
}
let compiled = true;
try {
  new Function('return 1');
} catch {
  compiled = false;
}
const batch = Array.from({ length: 300 }, (_, i) => envelope(i));
const bytes = encodeBatch(batch);
if (!isDeepStrictEqual(bytes, encodeBatchReference(batch))) throw new Error('encodeBatch differs from the reference');
for (let round = 0; round < 3; round++) {
  if (!isDeepStrictEqual(decodeBatch(bytes).toArray(), batch)) throw new Error('decodeBatch does not round-trip');
  if (!isDeepStrictEqual(decodeBatchReference(bytes), batch)) throw new Error('the reference does not round-trip');
  for (const m of batch.slice(0, 20)) if (!isDeepStrictEqual(decodeMessage(encodeMessage(m)), m)) throw new Error('decodeMessage does not round-trip');
}
console.log(`ok ${compiled ? 'compiled' : 'key-by-key'}`);
