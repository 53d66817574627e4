/**
 * NODE_ENV=production refuses default or missing secrets, naming each variable and what to do:
 * the parse rule for core, jobs and the seed (config.ts) and for the edge (edge/env.ts).
 */
import { describe, expect, test } from 'bun:test';
import { edgeConfigSchema } from '../../edge/env-schema.ts';
import { configSchema, DEV_ADMIN_PASSWORD, productionSecrets } from './config.ts';
import { ConfigError, parseEnv } from './env.ts';

const secret = (name: string) => `${name.toLowerCase()}-${'x'.repeat(32)}`;
const complete = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://core:pw@db.example:5432/varastokkr',
  ADMIN_PASSWORD: 'a-real-admin-password',
  CORE_INTERNAL_SECRET: secret('core'),
  EDGE_INTERNAL_SECRET: secret('edge'),
  EDGE_SIGNING_SECRET: secret('signing'),
  SIGNING_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

function refusal(schema: Parameters<typeof parseEnv>[0], env: Record<string, string>): string {
  try {
    parseEnv(schema, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('core, jobs and the seed', () => {
  test('production with nothing set: every secret is named, with what to do', () => {
    const message = refusal(configSchema, { NODE_ENV: 'production' });
    for (const { name } of productionSecrets) expect(message).toContain(`${name}: is`);
    expect(message).toContain('DATABASE_URL: is required in production');
    expect(message).toContain('embedded');
    expect(message).toContain('ADMIN_PASSWORD: is the development default');
    expect(message).toContain("the same as the edge's EDGE_SIGNING_SECRET");
    expect(message).not.toContain(DEV_ADMIN_PASSWORD);
  });

  test.each(Object.keys(complete).filter((k) => k !== 'NODE_ENV'))(
    'production without %s is refused',
    (name) => {
      const { [name as keyof typeof complete]: _, ...rest } = complete;
      const message = refusal(configSchema, rest);
      expect(message).toContain(name);
      expect(message.match(/: is /g)).toHaveLength(1);
    },
  );

  test('the development admin password is refused in production even when set explicitly', () => {
    expect(refusal(configSchema, { ...complete, ADMIN_PASSWORD: DEV_ADMIN_PASSWORD })).toContain(
      'ADMIN_PASSWORD',
    );
  });

  test('production with every secret set parses; development and test need none of them', () => {
    expect(parseEnv(configSchema, complete).EDGE_SIGNING_SECRET).toBe(complete.EDGE_SIGNING_SECRET);
    for (const NODE_ENV of ['development', 'test'])
      expect(parseEnv(configSchema, { NODE_ENV }).ADMIN_PASSWORD).toBe(DEV_ADMIN_PASSWORD);
  });

  test('a short signing secret is refused in any environment', () => {
    expect(refusal(configSchema, { EDGE_SIGNING_SECRET: 'short' })).toContain('EDGE_SIGNING_SECRET');
  });
});

describe('the edge', () => {
  const vars = { CORE_URL: 'https://core.example', JWT_ISSUER: 'varastokkr', JWT_AUDIENCE: 'varastokkr-api' };

  test('ENVIRONMENT or NODE_ENV = production refuses missing secrets, naming them', () => {
    for (const marker of [{ ENVIRONMENT: 'production' }, { NODE_ENV: 'production' }] as Record<
      string,
      string
    >[]) {
      const message = refusal(edgeConfigSchema, { ...vars, ...marker });
      for (const name of ['DATABASE_URL', 'INTERNAL_SECRET', 'EDGE_SIGNING_SECRET'])
        expect(message).toContain(name);
      expect(message).toContain('varastokkr_edge');
    }
  });

  test('production with its secrets parses; development needs none', () => {
    const production = {
      ...vars,
      ENVIRONMENT: 'production',
      DATABASE_URL: 'postgres://edge_reader:pw@db.example/varastokkr',
      INTERNAL_SECRET: secret('internal'),
      EDGE_SIGNING_SECRET: secret('signing'),
    };
    expect(parseEnv(edgeConfigSchema, production).EDGE_SIGNING_SECRET).toBe(production.EDGE_SIGNING_SECRET);
    expect(
      parseEnv(edgeConfigSchema, { ...vars, ENVIRONMENT: 'development' }).INTERNAL_SECRET,
    ).toBeUndefined();
  });
});
