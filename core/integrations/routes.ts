import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../app-env.ts';
import { authProblems, secured } from '../identity/authorize.ts';
import { exampleTime, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageQuery, pageSchema } from '../platform/pagination.ts';
import { ConflictError } from '../platform/problem.ts';
import { ingestionRoutes } from './ingestion-routes.ts';
import { listJobs, retryJob } from './jobs.ts';

const tags = ['operations'];

const jobSchema = z
  .object({
    id: z.string().openapi({ example: '4182' }),
    task: z.string().openapi({ example: 'publish-event' }),
    queue: z.string().nullable().openapi({ example: null }),
    state: z.enum(['failed', 'pending', 'running']),
    attempts: z.number().int().openapi({ example: 25 }),
    maxAttempts: z.number().int().openapi({ example: 25 }),
    lastError: z
      .string()
      .nullable()
      .openapi({ example: 'Error: edge answered 503 to POST /internal/warehouses/…/events' }),
    runAt: z.string().openapi({ example: exampleTime }),
    createdAt: z.string().openapi({ example: '2026-01-14T22:05:12.000Z' }),
    key: z.string().nullable().openapi({ example: null }),
  })
  .openapi('Job');

const listJobsRoute = createRoute({
  method: 'get',
  path: '/api/jobs',
  operationId: 'listJobs',
  tags,
  summary: 'Failed and waiting jobs with their last errors, newest first (admin)',
  description:
    "The background job queue (publishing events, purging the edge's catalog cache, pushing stock levels to the warehouse rooms, upkeep sweeps): failed jobs with their last error, and jobs waiting to run, newest first. Admins only.",
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
  operationId: 'retryJob',
  tags,
  summary: 'Run a failed job again now (admin)',
  description:
    'Makes a failed job due now with a fresh set of attempts; 409 when the job has not failed (it is waiting or running). Admins only.',
  ...secured('jobs:manage'),
  request: {
    params: z.object({
      id: z
        .string()
        .regex(/^\d{1,18}$/, 'A job id')
        .openapi({ example: '4182' }),
    }),
  },
  responses: {
    200: jsonContent(jobSchema, 'The job, pending again'),
    ...authProblems,
    ...problemResponses(
      404,
      new ConflictError('Only a failed job can be retried; this one is pending.', 'job-not-failed'),
      422,
    ),
  },
});

/** The integrations service's endpoints; job operations live here with the outbound deliveries. */
export const integrationsRoutes = createRouter()
  .route('/', ingestionRoutes)
  .openapi(listJobsRoute, async (c) => c.json(await listJobs(c.var.db, c.req.valid('query')), 200))
  .openapi(retryJobRoute, async (c) => c.json(await retryJob(c.var.db, c.req.valid('param').id), 200));
