/** Runs `promtool check metrics` on exposition text; CI installs promtool with Debian's prometheus. */
import { spawnSync } from 'node:child_process';

export function promtoolCheck(text: string): { ok: boolean; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw new Error(`promtool could not run (install Debian's prometheus package): ${r.error.message}`);
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
