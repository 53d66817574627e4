import { z } from '@hono/zod-openapi';
import { ValidationError } from './problem.ts';

// An opaque position (base64url JSON), as encodeCursor makes them.
const EXAMPLE_CURSOR = 'WyJIQU0tMTZPWiJd';

/** `?limit=&cursor=` as every list endpoint takes them. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({ description: 'nextCursor from the previous page', example: EXAMPLE_CURSOR }),
});

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The decoded position, or a 422 naming the cursor when it is not one of ours. */
export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.infer<S> {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {}
  throw new ValidationError([
    { path: 'cursor', message: 'Not a cursor from this list; start again without it.' },
  ]);
}

export function pageSchema<S extends z.ZodType>(item: S) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().openapi({
      description: 'Send as `cursor` for the next page; null on the last',
      example: EXAMPLE_CURSOR,
    }),
  });
}
