import type { z } from 'zod';

export class ConfigError extends Error {}

/**
 * Parses an environment (process.env, or the edge's bindings) against a zod schema; the error
 * lists every bad variable and why. Empty strings count as unset.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, unknown>): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '' && v !== undefined));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(
    `Invalid configuration:\n${lines.join('\n')}\nFix these environment variables (see README, Configuration).`,
  );
}
