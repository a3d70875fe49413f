/**
 * Crash test for durable acceptance: a child process accepts messages through the storage
 * journal (file backend), handles them with failures and retries, and reports every
 * acknowledgement and every handler invocation; it is SIGKILLed at random moments, several
 * times over the same directory, then restarted once to drain. Afterwards every acknowledged
 * message was handled successfully or is a dead letter (none lost), and no (message, attempt)
 * was ever handed to a handler twice.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const CHILD = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
const KILLS = 5;

interface RunLog {
  lines: string[];
  exit: string;
}

/** Runs the child; in load mode SIGKILLs it `killAfterMs` after its first acknowledgement. */
function runChild(dir: string, mode: 'load' | 'drain', run: number, killAfterMs: number): Promise<RunLog> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, mode, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buffered = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop()!; // a torn last line reports nothing
      for (const line of complete) {
        lines.push(line);
        if (mode === 'load' && line.startsWith('A ')) timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      const exit = signal ?? String(code);
      if ((mode === 'load' && signal !== 'SIGKILL') || (mode === 'drain' && code !== 0)) reject(new Error(`${mode} child exited with ${exit}: ${stderr}`));
      else resolve({ lines, exit });
    });
  });
}

const Crash = suite('messaging/crash: SIGKILL at random points loses no acknowledged message');

Crash('every acknowledged message is processed or dead-lettered, and no attempt is handed over twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'healthsync-messaging-crash-'));
  const acked = new Set<string>();
  const succeeded = new Set<string>();
  const handed = new Map<string, number>();
  const record = (lines: string[]): void => {
    for (const line of lines) {
      const [word, ...rest] = line.split(' ');
      if (word === 'A') for (const id of rest) acked.add(id);
      else if (word === 'OK') succeeded.add(rest[0]);
      else if (word === 'H') {
        const key = `${rest[0]}#${rest[1]}`;
        handed.set(key, (handed.get(key) ?? 0) + 1);
      }
    }
  };
  try {
    for (let run = 0; run < KILLS; run++) {
      const { lines } = await runChild(dir, 'load', run, 30 + Math.floor(Math.random() * 300));
      assert.ok(lines.includes('READY'), `run ${run} never became ready`);
      record(lines);
    }
    const drain = await runChild(dir, 'drain', KILLS, 0);
    record(drain.lines);
    assert.ok(drain.lines.includes('DONE'), 'the drain run finished');
    const deadLetters = new Set((drain.lines.find((l) => l.startsWith('DL')) ?? 'DL').split(' ').slice(1));

    assert.ok(acked.size > KILLS * 20, `too few acknowledgements (${acked.size}) to test anything`);
    const lost = [...acked].filter((id) => !succeeded.has(id) && !deadLetters.has(id));
    assert.equal(lost.slice(0, 10), [], `${lost.length} of ${acked.size} acknowledged messages were lost`);
    const twice = [...handed].filter(([, n]) => n > 1).map(([key]) => key);
    assert.equal(twice.slice(0, 10), [], `${twice.length} attempts were handed to a handler more than once`);
    assert.ok(deadLetters.size > 0, 'the always-failing messages were dead-lettered');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Crash.run();
