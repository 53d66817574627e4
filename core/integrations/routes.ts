import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../app-env.ts';
import { authProblems, secured } from '../identity/authorize.ts';
import { jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageQuery, pageSchema } from '../platform/pagination.ts';
import { listJobs, retryJob } from './jobs.ts';

const tags = ['operations'];

const jobSchema = z
  .object({
    id: z.string(),
    task: z.string(),
    queue: z.string().nullable(),
    state: z.enum(['failed', 'pending', 'running']),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    lastError: z.string().nullable(),
    runAt: z.string(),
    createdAt: z.string(),
    key: z.string().nullable(),
  })
  .openapi('Job');

const listJobsRoute = createRoute({
  method: 'get',
  path: '/api/jobs',
  tags,
  summary: 'Failed and waiting jobs with their last errors, newest first (admin)',
  ...secured('jobs:manage'),
  request: { query: pageQuery.extend({ state: z.enum(['failed', 'pending']).optional() }) },
  responses: {
    200: jsonContent(pageSchema(jobSchema), 'A page of jobs'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const retryJobRoute = createRoute({
  method: 'post',
  path: '/api/jobs/{id}/retry',
  tags,
  summary: 'Run a failed job again now (admin)',
  ...secured('jobs:manage'),
  request: { params: z.object({ id: z.string().regex(/^\d{1,18}$/, 'A job id') }) },
  responses: {
    200: jsonContent(jobSchema, 'The job, pending again'),
    ...authProblems,
    ...problemResponses(404, 409, 422),
  },
});

/** The integrations service's endpoints; job operations live here with the outbound deliveries. */
export const integrationsRoutes = createRouter()
  .openapi(listJobsRoute, async (c) => c.json(await listJobs(c.var.db, c.req.valid('query')), 200))
  .openapi(retryJobRoute, async (c) => c.json(await retryJob(c.var.db, c.req.valid('param').id), 200));
