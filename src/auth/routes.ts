/**
 * Key administration (admin only): `POST /admin/keys {role, name}` -> 201 `{id, key, ...}`
 * (the key is shown once), `GET /admin/keys`, `DELETE /admin/keys/:id` -> 204.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import type { AppEnv } from '../http/types.ts';
import { ROLES } from '../http/types.ts';
import { readJson } from '../http/validate.ts';
import { requireRole } from '../http/auth.ts';

const CreateKey = z.strictObject({
  role: z.enum(ROLES),
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[\w .@-]+$/, 'may contain letters, digits, spaces and . _ @ - only'),
});

export function createAuthRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const admin = requireRole('admin');
  app.post('/admin/keys', admin, async (c) => {
    const input = await readJson(c, CreateKey);
    return c.json(await deps.keys.create(input), 201);
  });
  app.get('/admin/keys', admin, (c) => c.json({ keys: deps.keys.list() }));
  app.delete('/admin/keys/:id', admin, async (c) => {
    await deps.keys.revoke(c.req.param('id'));
    return c.body(null, 204);
  });
  return app;
}
