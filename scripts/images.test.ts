/**
 * Each image's entry, run without a Docker engine: the files its runtime stage COPYs (less what
 * .dockerignore keeps out) laid out in a temporary directory, its CMD started there with its ENV
 * (NODE_ENV=production, so every production secret set), then its HEALTHCHECK command run until it
 * passes, then SIGTERM and a clean exit. The migration Job's command runs from the core image's files.
 * (The dependencies are this checkout's node_modules, not the image's production-only install.)
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { productionSecrets } from '../core/platform/config.ts';
import { freePort } from '../core/platform/ports.ts';
import { useTestDatabase } from '../test/harness/database.ts';
import { eventually } from '../test/harness/http.ts';
import { adminQuery, testPostgres } from '../test/harness/postgres.ts';
import { entry, type Stage, stageEnv, stages } from './dockerfile.ts';
import { build } from './kustomize.ts';

const root = join(import.meta.dir, '..');
const database = useTestDatabase('images');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The runtime stage's own files (COPY without --from) in a fresh directory, tests left out. */
function imageFiles(stage: Stage): string {
  const dir = mkdtempSync(join(tmpdir(), 'varastokkr-image-'));
  dirs.push(dir);
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'COPY' || args.startsWith('--from')) continue;
    const parts = args.split(/\s+/);
    const dest = parts.pop()!;
    for (const source of parts) {
      const target = dest.endsWith('/') || parts.length > 1 ? join(dir, dest, source) : join(dir, dest);
      cpSync(join(root, source), target, {
        recursive: true,
        filter: (path) => !path.endsWith('.test.ts') && !path.includes('node_modules'),
      });
    }
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Values for every variable NODE_ENV=production requires (core/platform/config.ts). */
function productionEnv(): Record<string, string> {
  const env: Record<string, string> = { DATABASE_URL: database().url };
  for (const { name } of productionSecrets)
    env[name] ??=
      name === 'SIGNING_KEY_ENCRYPTION_KEY'
        ? Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')
        : `${name.toLowerCase()}-${crypto.randomUUID()}${crypto.randomUUID()}`;
  return env;
}

function runtimeStage(image: string): Stage {
  const stage = stages(readFileSync(join(root, 'deploy/docker', `${image}.Dockerfile`), 'utf8')).at(-1);
  if (!stage) throw new Error(`${image}.Dockerfile has no stage`);
  return stage;
}

describe.each([
  ['core', 'CORE_PORT'],
  ['jobs', 'JOBS_HEALTH_PORT'],
])('the %s image', (image, portVariable) => {
  test('its CMD starts in production from the files it copies; its HEALTHCHECK passes; SIGTERM ends it cleanly', async () => {
    const stage = runtimeStage(image);
    const env = stageEnv(stage);
    const { cmd, healthcheck } = entry(stage);
    expect(env.NODE_ENV).toBe('production');
    const imagePort = env[portVariable]!;
    expect(healthcheck.join(' ')).toContain(`127.0.0.1:${imagePort}/`);
    // Another process may hold the image's port here: the same command on a free one.
    const port = String(await freePort());
    const dir = imageFiles(stage);
    const proc = Bun.spawn(cmd, {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, ...env, ...productionEnv(), [portVariable]: port },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    try {
      const check = healthcheck.map((arg) => arg.replace(`:${imagePort}/`, `:${port}/`));
      await eventually(async () => {
        if (proc.exitCode !== null) throw new Error(`${cmd.join(' ')} exited ${proc.exitCode}`);
        const probe = Bun.spawn(check, { cwd: dir, stdout: 'ignore', stderr: 'ignore' });
        return (await probe.exited) === 0 ? true : undefined;
      }, 30_000);
    } finally {
      proc.kill('SIGTERM');
    }
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(err).not.toContain('error');
    expect(code).toBe(0);
  });
});

test('the HEALTHCHECK command fails when nothing answers', async () => {
  const port = await freePort();
  const probe = Bun.spawn(['bun', 'scripts/healthcheck.ts', `http://127.0.0.1:${port}/healthz`], {
    cwd: root,
  });
  expect(await probe.exited).toBe(1);
});

test("the migration Job's command (bun db/migrate.ts) migrates an empty database from the core image's files", async () => {
  const name = `image_migrate_${crypto.randomUUID().slice(0, 8)}`;
  await adminQuery(`create database ${name}`);
  try {
    const [job] = build(join(root, 'deploy/k8s/overlays/production-migrate'));
    if (!job) throw new Error('the migrate overlay builds no Job');
    const container = (
      job.spec as { template: { spec: { containers: { image: string; command: string[] }[] } } }
    ).template.spec.containers[0]!;
    expect(container.image).toContain('varastokkr-core:');
    const dir = imageFiles(runtimeStage('core'));
    const proc = Bun.spawn(container.command, {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        ...productionEnv(),
        DATABASE_URL: testPostgres().url(name),
      },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const [code, out] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
    expect(code).toBe(0);
    expect(out).toContain('applied');
  } finally {
    await adminQuery(`drop database ${name} with (force)`);
  }
});
