import { z } from '@hono/zod-openapi';

/** RFC 9457 problem document, as every error response in the API. */
export const problemSchema = z
  .object({
    type: z.string().openapi({ example: 'https://varastokkr.dev/problems/validation' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'For validation problems: the offending fields.' }),
  })
  .openapi('Problem');

const problemDescriptions: Record<number, string> = {
  400: 'Malformed request (for example, invalid JSON)',
  401: 'Missing or invalid credentials',
  403: 'Not allowed for this caller',
  404: 'Not found',
  409: 'Conflicts with the current state',
  412: 'If-Match did not match',
  413: 'Body too large',
  428: 'If-Match is required',
  415: 'Wrong content type',
  422: 'Invalid fields (see errors)',
  503: 'A dependency is unavailable',
};

/** Problem+json response entries for a route definition. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: problemDescriptions[s] ?? 'Problem',
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    ]),
  );
}

/** A required JSON request body. Required, so a missing or non-JSON body is refused (415/422). */
export function jsonBody<S extends z.ZodType>(schema: S, description?: string) {
  return { required: true, description, content: { 'application/json': { schema } } } as const;
}

export function jsonContent<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}
