import type { z } from 'zod';

export class ConfigError extends Error {}

/**
 * Parses an environment (process.env, or the edge's bindings) against a zod schema; the error
 * lists every bad variable and why. Empty strings count as unset.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: object): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '' && v !== undefined));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(
    `Invalid configuration:\n${lines.join('\n')}\nFix these environment variables (see README, Configuration).`,
  );
}

/** A secret a production deployment must set itself (see `refuseDevelopmentSecrets`). */
export interface ProductionSecret {
  name: string;
  /** The value the variable takes in development, refused in production. */
  devDefault?: string;
  /** What to do: how to make the value and where else it must be the same. */
  fix: string;
}

/**
 * A schema check for production: each listed secret must be set, and not to its development
 * default. The issue names the variable and says what to do, so the process stops with it.
 */
export function refuseDevelopmentSecrets<T extends Record<string, unknown>>(
  isProduction: (cfg: T) => boolean,
  secrets: readonly ProductionSecret[],
) {
  return (cfg: T, ctx: z.RefinementCtx) => {
    if (!isProduction(cfg)) return;
    for (const { name, devDefault, fix } of secrets) {
      const value = cfg[name];
      const problem =
        value === undefined
          ? 'is required in production'
          : value === devDefault
            ? 'is the development default, refused in production'
            : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: `${problem}: ${fix}` });
    }
  };
}
