/**
 * Privacy over HTTP.
 * - `POST /privacy/anonymize` (agent, admin): JSON `{dataset | csv, config, safeHarbor?, pseudonyms?}`,
 *   or a `text/csv` body with the configuration as JSON in `?config=`. Answers
 *   `{columns, rows, report}`; optional Safe Harbor runs first, then keyed pseudonyms, then
 *   `anonymize`.
 * - `POST /privacy/safe-harbor` (agent, admin): `{dataset | csv, options?}`.
 * - `POST /privacy/verify` (agent, admin): `{input, output, config}` -> the verifier's report.
 * - `POST /privacy/aggregate` (researcher, agent, admin): a noisy count, sum, mean or histogram
 *   charged to the study's budget; refused with 403 `budget_exhausted` once it is spent.
 * - `GET /privacy/budget/:study` (researcher, agent, admin); `PUT` (admin) sets its total.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../http/types.ts';
import { parseWith, readJson } from '../http/validate.ts';
import { requireRole } from '../http/auth.ts';
import { AppError, ValidationError } from '../shared/errors.ts';
import { anonymize } from './anonymize.ts';
import { createPrivacyBudget, type PrivacyBudget } from './budget.ts';
import { noisyCount, noisyHistogram, noisyMean, noisySum } from './dp.ts';
import { pseudonymize } from './pseudonym.ts';
import { safeHarbor, type SafeHarborOptions } from './safe-harbor.ts';
import type { AnonymizeConfig, DatasetInput } from './types.ts';
import { verify } from './verify.ts';

export interface PrivacyRoutesOptions {
  /** Master secret for keyed pseudonyms (at least 16 bytes); without it pseudonym requests fail. */
  pseudonymSecret?: Uint8Array;
  budget?: PrivacyBudget;
}

const CellSchema = z.union([z.string(), z.number(), z.null()]);
/** `{columns, rows}` or JSON records. */
const DatasetSchema = z.union([
  z.strictObject({ columns: z.array(z.string()), rows: z.array(z.array(CellSchema)) }),
  z.array(z.record(z.string(), CellSchema)),
]);
const ConfigSchema = z.record(z.string(), z.unknown());
const Study = z.string().trim().min(1).max(200);

const AnonymizeBody = z.strictObject({
  dataset: DatasetSchema.optional(),
  csv: z.string().optional(),
  config: ConfigSchema,
  safeHarbor: z.union([z.literal(true), z.record(z.string(), z.unknown())]).optional(),
  pseudonyms: z.strictObject({ columns: z.array(z.string()).min(1), study: Study }).optional(),
});

const SafeHarborBody = z.strictObject({
  dataset: DatasetSchema.optional(),
  csv: z.string().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

const VerifyBody = z.strictObject({
  input: z.union([DatasetSchema, z.string()]),
  output: z.union([z.object({ columns: z.array(z.string()), rows: z.array(z.array(z.string())) }), z.string()]),
  config: ConfigSchema,
});

const AggregateBody = z.strictObject({
  study: Study,
  query: z.enum(['count', 'sum', 'mean', 'histogram']),
  values: z.array(z.union([z.number(), z.string()])).max(10_000_000),
  epsilon: z.number(),
  delta: z.number().optional(),
  mechanism: z.enum(['laplace', 'gaussian']).optional(),
  lower: z.number().optional(),
  upper: z.number().optional(),
  bins: z.union([z.array(z.string()).min(1), z.strictObject({ edges: z.array(z.number()).min(2) })]).optional(),
});

const LimitBody = z.strictObject({ epsilon: z.number(), delta: z.number() });

function datasetOf(body: { dataset?: DatasetInput; csv?: string }): DatasetInput {
  if (body.dataset && body.csv !== undefined) throw new ValidationError('send either dataset or csv, not both', 'dataset');
  if (body.dataset) return body.dataset;
  if (body.csv !== undefined) return body.csv;
  throw new ValidationError('dataset or csv is required', 'dataset');
}

async function readAnonymizeRequest(c: Context<AppEnv>): Promise<z.infer<typeof AnonymizeBody>> {
  const type = c.req.header('content-type') ?? '';
  if (/^text\/csv\b/i.test(type)) {
    const raw = c.req.query('config');
    if (raw === undefined) throw new ValidationError('a text/csv body needs the configuration as JSON in ?config=', 'config');
    let config: unknown;
    try {
      config = JSON.parse(raw);
    } catch (err) {
      throw new AppError(400, 'invalid_json', `config: malformed JSON: ${(err as Error).message}`);
    }
    return parseWith(AnonymizeBody, { csv: await c.req.text(), config }, '');
  }
  return readJson(c, AnonymizeBody);
}

/**
 * @example
 * app.route('/', createPrivacyRoutes(deps, { pseudonymSecret }));
 */
export function createPrivacyRoutes(deps: Pick<AppDeps, 'db'>, options: PrivacyRoutesOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const producers = requireRole('agent', 'admin');
  const readers = requireRole('researcher', 'agent', 'admin');
  let budget = options.budget;
  const budgetOf = (): PrivacyBudget => (budget ??= createPrivacyBudget(deps.db));

  app.post('/privacy/anonymize', producers, async (c) => {
    const body = await readAnonymizeRequest(c);
    let dataset: DatasetInput = datasetOf(body);
    let config = body.config as unknown as AnonymizeConfig;
    if (body.safeHarbor) {
      const sh = safeHarbor(dataset, body.safeHarbor === true ? {} : (body.safeHarbor as SafeHarborOptions));
      dataset = { columns: sh.columns, rows: sh.rows };
      // Identifiers Safe Harbor already removed need no second removal.
      if (Array.isArray(config.identifiers)) config = { ...config, identifiers: config.identifiers.filter((c) => sh.columns.includes(c)) };
    }
    if (body.pseudonyms) {
      if (!options.pseudonymSecret) throw new AppError(503, 'pseudonyms_unavailable', 'no pseudonym secret is configured on this server');
      dataset = await pseudonymize(dataset, { ...body.pseudonyms, secret: options.pseudonymSecret });
    }
    return c.json(anonymize(dataset, config));
  });

  app.post('/privacy/safe-harbor', producers, async (c) => {
    const body = await readJson(c, SafeHarborBody);
    return c.json(safeHarbor(datasetOf(body), (body.options ?? {}) as SafeHarborOptions));
  });

  app.post('/privacy/verify', producers, async (c) => {
    const body = await readJson(c, VerifyBody);
    return c.json(verify(body.input as DatasetInput, body.output as DatasetInput, body.config as unknown as AnonymizeConfig));
  });

  app.post('/privacy/aggregate', readers, async (c) => {
    const body = await readJson(c, AggregateBody);
    const dp = { epsilon: body.epsilon, delta: body.delta, mechanism: body.mechanism, budget: budgetOf(), study: body.study };
    const numbers = (): number[] => body.values.map((v, i) => {
      if (typeof v !== 'number') throw new ValidationError(`values[${i}] must be a number for ${body.query}`, `values[${i}]`);
      return v;
    });
    const bounds = (): { lower: number; upper: number } => {
      if (body.lower === undefined || body.upper === undefined) throw new ValidationError(`${body.query} needs lower and upper bounds`, 'lower');
      return { lower: body.lower, upper: body.upper };
    };
    switch (body.query) {
      case 'count':
        return c.json(await noisyCount(body.values, dp));
      case 'sum':
        return c.json(await noisySum(numbers(), { ...dp, ...bounds() }));
      case 'mean':
        return c.json(await noisyMean(numbers(), { ...dp, ...bounds() }));
      case 'histogram':
        if (!body.bins) throw new ValidationError('histogram needs bins', 'bins');
        return c.json(await noisyHistogram(body.values, { ...dp, bins: body.bins }));
    }
  });

  app.get('/privacy/budget/:study', readers, (c) => {
    const study = parseWith(Study, c.req.param('study'), 'study');
    return c.json(budgetOf().status(study));
  });

  app.put('/privacy/budget/:study', requireRole('admin'), async (c) => {
    const study = parseWith(Study, c.req.param('study'), 'study');
    const limit = await readJson(c, LimitBody);
    return c.json(await budgetOf().setLimit(study, limit));
  });

  return app;
}
