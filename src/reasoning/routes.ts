/**
 * MeTTa over HTTP.
 *
 *   POST /metta/ethics-check {researchCategory, dataTypes, irbApproval, k, consent?}
 *        -> {decision, reasons, reasoningPath, kbVersion, cached}      agent, admin, researcher
 *   POST /metta/run {program}       -> {results, output}               agent, admin
 *   POST /metta/query {expression}  -> {results, output}               agent, admin
 *   GET  /metta/kb                  -> {source, kbVersion, atoms}      admin
 *   PUT  /metta/kb {source}         -> {kbVersion, atoms}              admin (drops the cache)
 *
 * Running arbitrary programs is for agents and admins; researchers may only ask for decisions.
 * A run gets a fresh space over the read-only knowledge base, so only `PUT /metta/kb` changes
 * what every caller sees. The evaluation time of a decision is the server's: a caller cannot
 * make an expired consent valid. Malformed MeTTa, programs over the size limit and runs over
 * their step budget, deadline or output limit are 400s naming what went wrong; MeTTa errors
 * (`BadArgType`, division by zero, ...) are results, as hyperon prints them.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../http/types.ts';
import { readJson } from '../http/validate.ts';
import { requireRole } from '../http/auth.ts';
import { AppError } from '../shared/errors.ts';
import { LimitError } from './context.ts';
import { ParseError, ProgramTooLargeError } from './runner.ts';
import { NotOneAtomError, type ReasoningService } from './service.ts';
import { saveKb } from './kb-store.ts';

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const Name = z.string().regex(NAME, 'must be an identifier: a letter, then letters, digits, - or _ (at most 64)');
const Names = z.array(Name).max(64);

/** The body of `POST /metta/ethics-check` (and the payload of an `ethics.check` message). */
export const EthicsCheckSchema = z.strictObject({
  researchCategory: Name,
  dataTypes: Names,
  irbApproval: z.boolean(),
  k: z.number().int().min(0).max(1_000_000_000),
  consent: z
    .strictObject({
      status: z.enum(['granted', 'denied', 'pending']),
      dataTypes: Names,
      categories: Names,
      expiresAt: z.union([z.number().int().min(0), z.iso.datetime({ offset: true })]).optional(),
      withdrawn: z.boolean().optional(),
    })
    .optional(),
});
const Run = z.strictObject({ program: z.string() });
const Query = z.strictObject({ expression: z.string() });
const Kb = z.strictObject({ source: z.string() });

/** Maps the engine's failures on caller input to 400s; anything else stays a 500. */
function mettaError(err: unknown): never {
  if (err instanceof ParseError) throw new AppError(400, 'metta_parse_error', `${err.message} (at offset ${err.offset})`);
  if (err instanceof ProgramTooLargeError) throw new AppError(400, 'metta_program_too_large', err.message);
  if (err instanceof LimitError) throw new AppError(400, 'metta_limit_exceeded', `evaluation stopped: ${err.message}`);
  if (err instanceof NotOneAtomError) throw new AppError(400, 'invalid_input', err.message, { details: { field: 'expression' } });
  throw err;
}

/**
 * @example
 * app.route('/', createReasoningRoutes(deps));
 */
export function createReasoningRoutes(deps: AppDeps): Hono<AppEnv> {
  const reasoning: ReasoningService | undefined = deps.reasoning;
  if (reasoning === undefined) throw new Error('createReasoningRoutes needs deps.reasoning (createReasoningService())');
  const app = new Hono<AppEnv>();
  const decide = requireRole('agent', 'admin', 'researcher');
  const evaluate = requireRole('agent', 'admin');
  const admin = requireRole('admin');

  app.post('/metta/ethics-check', decide, async (c) => {
    const q = await readJson(c, EthicsCheckSchema);
    return c.json(reasoning.ethics.check({ ...q, now: Date.now() }));
  });
  app.post('/metta/run', evaluate, async (c) => {
    const { program } = await readJson(c, Run);
    return c.json(await reasoning.run(program).catch(mettaError));
  });
  app.post('/metta/query', evaluate, async (c) => {
    const { expression } = await readJson(c, Query);
    return c.json(await reasoning.query(expression).catch(mettaError));
  });
  app.get('/metta/kb', admin, (c) => c.json(reasoning.kb()));
  app.put('/metta/kb', admin, async (c) => {
    const { source } = await readJson(c, Kb);
    const previous = reasoning.kb().source;
    let info: { kbVersion: number; atoms: number };
    try {
      info = reasoning.replaceKb(source);
    } catch (err) {
      return mettaError(err);
    }
    try {
      await saveKb(deps.db, source);
    } catch (err) {
      // Not durable, so not acknowledged: keep serving the knowledge base that is.
      reasoning.replaceKb(previous);
      throw err;
    }
    return c.json(info);
  });
  return app;
}
