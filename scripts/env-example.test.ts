/**
 * .env.example is generated from the configuration schemas (`bun run env:example`): it lists
 * every variable the processes and the edge parse, and this fails when it drifts from them.
 */
import { expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { configSchema } from '../core/platform/config.ts';
import { edgeConfigSchema } from '../edge/env-schema.ts';
import { envExamplePath, renderEnvExample } from './env-example.ts';

const committed = existsSync(envExamplePath) ? readFileSync(envExamplePath, 'utf8') : '';

test('.env.example is what `bun run env:example` generates from the schemas', () => {
  const generated = renderEnvExample();
  if (committed !== generated)
    throw new Error(
      '.env.example is out of date with core/platform/config.ts or edge/env-schema.ts: run `bun run env:example` and commit the result.',
    );
});

test('every variable of both schemas is listed, with its default', () => {
  const listed = new Set([...committed.matchAll(/^# ([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  for (const name of [...Object.keys(configSchema.shape), ...Object.keys(edgeConfigSchema.shape)])
    expect(listed.has(name) ? name : `${name} is missing`).toBe(name);
  expect(committed).toContain('# CORE_PORT=8788\n');
  expect(committed).toContain('# GATEWAY_TIMEOUT_MS=15000\n');
  expect(committed).toContain('# JWT_AUDIENCE=varastokkr-api\n'); // from wrangler.toml [vars]
});
