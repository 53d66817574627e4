import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../app-env.ts';
import { jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageQuery, pageSchema } from '../platform/pagination.ts';
import { ConflictError } from '../platform/problem.ts';
import { authProblems, secured } from './authorize.ts';
import { createUserSchema, idParam, updateUserSchema, userSchema } from './schemas.ts';
import { createUser, getUser, listUsers, updateUser } from './users.ts';

const create = createRoute({
  method: 'post',
  path: '/api/users',
  operationId: 'createUser',
  tags: ['identity'],
  summary: 'Create a user (admin)',
  description:
    'An account that signs in with email and password, with roles and the warehouses it works in (admins work in all). The email is unique: 409 when taken. The password must be at least PASSWORD_MIN_LENGTH characters. Admins only.',
  ...secured('users:manage'),
  request: { body: jsonBody(createUserSchema) },
  responses: {
    201: jsonContent(userSchema, 'The new user'),
    ...authProblems,
    ...problemResponses(new ConflictError('A user with this email exists already.'), 422),
  },
});

const list = createRoute({
  method: 'get',
  path: '/api/users',
  operationId: 'listUsers',
  tags: ['identity'],
  summary: 'List users by email (admin)',
  description:
    'Every user, ordered by email, a page at a time: pass `nextCursor` back as `cursor`. Admins only.',
  ...secured('users:manage'),
  request: { query: pageQuery },
  responses: {
    200: jsonContent(pageSchema(userSchema), 'A page of users'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const read = createRoute({
  method: 'get',
  path: '/api/users/{id}',
  operationId: 'getUser',
  tags: ['identity'],
  summary: 'Read a user (admin)',
  description: 'One user by id. Admins only.',
  ...secured('users:manage'),
  request: { params: idParam },
  responses: { 200: jsonContent(userSchema, 'The user'), ...authProblems, ...problemResponses(404, 422) },
});

const update = createRoute({
  method: 'patch',
  path: '/api/users/{id}',
  operationId: 'updateUser',
  tags: ['identity'],
  summary: 'Change or disable a user (admin; not your own roles, scopes or status)',
  description:
    'Changes only the fields sent. `status: disabled` signs the user out everywhere and revokes the API keys that act for them; a new password signs them out too. An admin cannot change their own roles, scopes or status (403), so the last admin cannot lock everyone out. Admins only.',
  ...secured('users:manage'),
  request: { params: idParam, body: jsonBody(updateUserSchema) },
  responses: {
    200: jsonContent(userSchema, 'The user, updated'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

export const userRoutes = createRouter()
  .openapi(create, async (c) => {
    const { db, identity } = c.var;
    return c.json(await createUser(db, identity.passwords, identity.settings, c.req.valid('json')), 201);
  })
  .openapi(list, async (c) => c.json(await listUsers(c.var.db, c.req.valid('query')), 200))
  .openapi(read, async (c) => c.json(await getUser(c.var.db, c.req.valid('param').id), 200))
  .openapi(update, async (c) => {
    const { db, identity, principal } = c.var;
    const user = await updateUser(
      db,
      identity.passwords,
      identity.settings,
      principal,
      c.req.valid('param').id,
      c.req.valid('json'),
    );
    return c.json(user, 200);
  });
