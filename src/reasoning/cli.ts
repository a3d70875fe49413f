/**
 * `healthsync metta FILE.metta`: runs a MeTTa program and prints what hyperon's `metta`
 * command prints: `println!` output as it happens, then one line per executed `!`.
 * A parse error prints no result lines (hyperon raises before printing) and exits 1;
 * an exceeded limit or an unreadable file exits 2.
 */
import { LimitError, MeTTa, ParseError, ProgramTooLargeError } from './runner.ts';

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  readFile(path: string): Promise<string>;
}

/**
 * The files `(import! <space> <name>)` names, read beside the program (`<name>` or
 * `<name>.metta`), as hyperon's runner resolves them; a name not found stays unresolved and
 * import! then gives a MeTTa error.
 */
async function importedFiles(file: string, source: string, io: CliIo): Promise<Record<string, string>> {
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
  const modules: Record<string, string> = {};
  for (const m of source.matchAll(/\(import!\s+\S+\s+"?([^\s()"]+)"?\s*\)/g)) {
    const name = m[1];
    for (const path of [`${dir}${name}`, `${dir}${name}.metta`]) {
      try {
        modules[name] = await io.readFile(path);
        break;
      } catch {
        // try the next candidate
      }
    }
  }
  return modules;
}

/**
 * @example
 * const code = await mettaCommand(['prog.metta'], { stdout: console.log, stderr: console.error, readFile });
 */
export async function mettaCommand(args: string[], io: CliIo): Promise<number> {
  const file = args.find((a) => !a.startsWith('--'));
  if (file === undefined) {
    io.stderr('usage: healthsync metta FILE.metta');
    return 2;
  }
  let source: string;
  try {
    source = await io.readFile(file);
  } catch (e) {
    io.stderr(`cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  const runner = new MeTTa({ print: (line) => io.stdout(line), modules: await importedFiles(file, source, io) });
  try {
    for (const line of runner.run(source)) io.stdout(line);
    return 0;
  } catch (e) {
    if (e instanceof ParseError) {
      io.stderr(`RuntimeError: ${e.message} (at offset ${e.offset})`);
      return 1;
    }
    if (e instanceof LimitError || e instanceof ProgramTooLargeError) {
      io.stderr(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
