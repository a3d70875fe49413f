/**
 * The `healthsync` command.
 *
 *   healthsync serve [--port N] [--host H] [--data-dir DIR]   serve the API on Node
 *   healthsync metta FILE.metta                               run a MeTTa program, print as hyperon does
 *   healthsync help
 *
 * Flags win over the environment (`PORT`, `HOST`, `DATA_DIR`), which wins over the defaults.
 */
import { readFile } from 'node:fs/promises';
import { mettaCommand } from './reasoning/cli.ts';
import { log } from './shared/log.ts';

const USAGE = `usage: healthsync <command> [options]

commands:
  serve [--port N] [--host H] [--data-dir DIR]   serve the HTTP API on Node
                                                 (env: PORT, HOST, DATA_DIR; defaults 127.0.0.1:8787, ./data)
  metta FILE.metta                               run a MeTTa program; one line per executed !
  help                                           show this text
`;

class UsageError extends Error {}

function parseFlags(args: string[], known: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
    if (name === undefined || !known.includes(name)) throw new UsageError(`unknown argument ${arg}`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

function portFrom(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`port must be an integer 0-65535, got "${raw}"`);
  return port;
}

async function serveCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, ['port', 'host', 'data-dir']);
  // Loaded on demand so that other commands do not pay for the server stack.
  const { startNodeServer } = await import('./node.ts');
  const server = await startNodeServer({
    port: portFrom(flags.port ?? process.env.PORT),
    host: flags.host ?? (process.env.HOST || undefined),
    dataDir: flags['data-dir'] ?? (process.env.DATA_DIR || undefined),
  });
  const key = server.services.bootstrapKey;
  if (key) {
    process.stdout.write(
      `Created the first admin key. It is shown only this once and stored only as a hash:\n\n  ${key.key}\n\n` +
        `Use it as "Authorization: Bearer <key>", or set HEALTHSYNC_ADMIN_KEY to supply your own.\n`,
    );
  }
  process.stdout.write(`HealthSync Edge listening on ${server.url}\n`);
  await new Promise<void>((ok) => {
    const stop = (signal: string) => {
      log('info', 'shutting down', { signal });
      server.close().then(ok, (err: unknown) => {
        log('error', 'shutdown failed', { error: String(err) });
        ok();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** Runs the command line; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(rest);
      case 'metta':
        return await mettaCommand(rest, {
          stdout: (line) => process.stdout.write(`${line}\n`),
          stderr: (line) => process.stderr.write(`${line}\n`),
          readFile: (path) => readFile(path, 'utf8'),
        });
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`healthsync: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`healthsync: ${(err as Error).message}\n`);
    return 1;
  }
}
