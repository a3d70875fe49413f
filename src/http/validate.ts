/**
 * Reads request bodies at the edge: JSON that does not parse is a 400 `invalid_json`, JSON that
 * does not fit the schema is a 400 `invalid_input` naming the first offending field.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError, ValidationError } from '../shared/errors.ts';

/** Turns the first zod issue into a `ValidationError` naming its field path. */
export function toValidationError(error: z.ZodError, prefix = ''): ValidationError {
  const issue = error.issues[0];
  const path = issue.path.map(String).join('.');
  const field = [prefix, path].filter(Boolean).join('.') || undefined;
  return new ValidationError(field ? `${field}: ${issue.message}` : issue.message, field);
}

/**
 * Validates `value` against `schema`, throwing a `ValidationError` that names the field.
 *
 * @example
 * const { role } = parseWith(CreateKeySchema, body);
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw toValidationError(result.error, prefix);
  return result.data;
}

/** Parses the request body as JSON (any JSON media type, or none given). */
export async function readJsonBody(c: Context): Promise<unknown> {
  const type = c.req.header('content-type');
  if (type !== undefined && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new AppError(415, 'unsupported_media_type', `expected application/json, got ${type.split(';')[0]}`);
  }
  const text = await c.req.text();
  if (text.trim() === '') throw new AppError(400, 'invalid_json', 'request body is empty; expected JSON');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError(400, 'invalid_json', `malformed JSON: ${(err as Error).message}`);
  }
}

/**
 * Reads and validates a JSON body.
 *
 * @example
 * const input = await readJson(c, z.object({ role: z.enum(ROLES), name: z.string() }));
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  return parseWith(schema, await readJsonBody(c));
}
