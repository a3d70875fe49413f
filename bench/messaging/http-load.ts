/**
 * The load generator of the messaging HTTP benchmark, run in its own process (pinned to the
 * other core): autocannon with `connections` requests in flight for `seconds`, posting
 *   single  one JSON envelope to POST /messages
 *   json    a 1,000-message JSON array to POST /messages/batch
 *   frame   a 1,000-message batch frame to POST /messages/batch
 * rotating 16 pre-built bodies (distinct ids within each).
 *
 *   node --import tsx bench/messaging/http-load.ts <url> <key> <seconds> <connections> <single|json|frame>
 *
 * Prints one JSON line: {requests, status: {code: count}, seconds, errors, latency: {p50, p99}, bodyBytes}.
 */
import { createRequire } from 'node:module';
import { encodeBatch } from '../../src/messaging/codec.ts';
import type { Message } from '../../src/index.ts';

interface AutocannonResult {
  requests: { total: number };
  statusCodeStats?: Record<string, { count: number }>;
  duration: number;
  errors: number;
  latency: { p50: number; p99: number };
}
// autocannon ships no type declarations.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: object) => Promise<AutocannonResult>;

const [url, key, secondsArg, connectionsArg, mode] = process.argv.slice(2);
export const BATCH = 1000;
let n = 0;

/** The 339-byte envelope shape. */
function message(): Message {
  const i = n++;
  return {
    id: crypto.randomUUID(),
    sender: 'consent_agent',
    recipient: `custodian_agent_${i % 4}`,
    messageType: 'consent_request',
    payload: { patient_id: `pt-${100000 + (i % 5000)}`, consent: i % 7 !== 0, data_types: ['labs', 'imaging', 'genomic', 'notes'] },
    priority: (i % 4) as Message['priority'],
    timeout: 30_000,
    batchKey: undefined,
    timestamp: 1_764_000_000_000 + i,
  };
}
const batch = () => Array.from({ length: BATCH }, message);
const bodies = Array.from({ length: 16 }, () =>
  mode === 'single' ? JSON.stringify(message()) : mode === 'json' ? JSON.stringify(batch()) : Buffer.from(encodeBatch(batch())),
);
let next = 0;
const result = await autocannon({
  url: `${url}${mode === 'single' ? '/messages' : '/messages/batch'}`,
  method: 'POST',
  connections: Number(connectionsArg),
  duration: Number(secondsArg),
  headers: { authorization: `Bearer ${key}`, 'content-type': mode === 'frame' ? 'application/x-healthsync-frame' : 'application/json' },
  requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
});
const status: Record<string, number> = {};
for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) status[code] = s.count;
process.stdout.write(
  `${JSON.stringify({ requests: result.requests.total, status, seconds: result.duration, errors: result.errors, latency: { p50: result.latency.p50, p99: result.latency.p99 }, bodyBytes: bodies[0].length })}\n`,
);
