/**
 * `bun run deploy:check` passes on what the README tells operators to apply, and each of its
 * checks fails on a broken copy: a manifest with an invalid field, a rule broken, a Dockerfile
 * off the rules, a staging environment missing a binding.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checklistViolations,
  checkManifests,
  coreDrainSeconds,
  overlays,
  wranglerEnvironmentViolations,
} from './deploy-check.ts';
import { dockerfileRuleViolations } from './dockerfile.ts';
import { build, type Manifest } from './kustomize.ts';

const root = join(import.meta.dir, '..');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** deploy/k8s copied to a temporary directory, with `change` applied to one of its files. */
function brokenCopy(file: string, change: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'varastokkr-k8s-'));
  dirs.push(dir);
  cpSync(join(root, 'deploy/k8s'), dir, { recursive: true });
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
  return dir;
}

test('bun run deploy:check passes, printing the edge bundle beside its budget', () => {
  const run = spawnSync('bun', ['run', 'deploy:check'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  expect(run.stderr).not.toContain('✗');
  expect(run.stdout).toMatch(/edge \(production\): worker\.js \d+ bytes, budget \d+ bytes/);
  expect(run.stdout).toMatch(/edge \(staging\): worker\.js \d+ bytes/);
  expect(run.stdout).toContain('deploy:check passed');
  expect(run.status).toBe(0);
}, 240_000);

describe('the Kubernetes check', () => {
  test('an unchanged copy passes', async () => {
    expect(await checkManifests(brokenCopy('base/config.yaml', (t) => `${t}\n`))).toEqual([]);
  });

  test('fails on a field of the wrong type, naming the object and the field', async () => {
    const dir = brokenCopy('base/core.yaml', (t) => t.replace('replicas: 2', 'replicas: two'));
    const problems = await checkManifests(dir);
    expect(problems.join('\n')).toContain('Deployment/varastokkr-core');
    expect(problems.join('\n')).toContain('replicas must be integer');
  });

  test('fails on an unknown kind, a Secret inlined, a missing readiness probe, or too short a grace period', async () => {
    const cases: [string, (t: string) => string, string][] = [
      [
        'base/autoscaling.yaml',
        (t) => t.replace('kind: PodDisruptionBudget', 'kind: PodDisruptionBudgett'),
        'no Kubernetes schema',
      ],
      [
        'base/config.yaml',
        (t) =>
          `${t}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  ADMIN_PASSWORD: x\n`,
        'a Secret is in the manifests',
      ],
      [
        'base/core.yaml',
        (t) => t.replace('path: /readyz', 'path: /healthz'),
        'readiness probe is not GET /readyz',
      ],
      [
        'base/core.yaml',
        (t) => t.replace('terminationGracePeriodSeconds: 30', 'terminationGracePeriodSeconds: 12'),
        'terminationGracePeriodSeconds must exceed',
      ],
      [
        'base/jobs.yaml',
        (t) => t.replace('memory: 512Mi', 'cpu: "1"'),
        'needs requests.cpu, requests.memory and limits.memory',
      ],
      [
        'base/autoscaling.yaml',
        (t) => t.replace('name: varastokkr-jobs\n  minReplicas', 'name: varastokkr-job\n  minReplicas'),
        'varastokkr-jobs: no HorizontalPodAutoscaler',
      ],
      [
        'secret.example.yaml',
        (t) => t.replace('  SIGNING_KEY_ENCRYPTION_KEY: ""\n', ''),
        'SIGNING_KEY_ENCRYPTION_KEY is missing',
      ],
      [
        'overlays/production/kustomization.yaml',
        (t) => `${t}replicas: []\n`,
        'not supported by scripts/kustomize.ts',
      ],
    ];
    for (const [file, change, expected] of cases)
      expect((await checkManifests(brokenCopy(file, change))).join('\n')).toContain(expected);
  });

  test("the grace period rule reads core/main.ts's drain", () => {
    expect(coreDrainSeconds()).toBe(10);
    expect(() => coreDrainSeconds('await server.stop();')).toThrow('drain');
  });

  /** Objects in a stable order with sorted keys, to compare two builds. */
  const canonical = (manifests: Manifest[]) =>
    JSON.stringify(
      manifests.toSorted((a, b) =>
        `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`),
      ),
      (_, v) =>
        v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v,
    );
  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

  test.skipIf(!kubectl)('scripts/kustomize.ts builds each overlay as kubectl kustomize does', () => {
    for (const overlay of overlays) {
      const dir = join(root, 'deploy/k8s', overlay);
      const out = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
      expect(out.status).toBe(0);
      const parsed = Bun.YAML.parse(out.stdout) as Manifest | Manifest[];
      const theirs = /^---\s*$/m.test(out.stdout) ? (parsed as Manifest[]) : [parsed as Manifest];
      expect(canonical(build(dir))).toBe(canonical(theirs));
    }
  });
});

describe('the Dockerfile rules', () => {
  const write = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'varastokkr-dockerfile-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'x.Dockerfile'), text);
    return join(dir, 'x.Dockerfile');
  };

  test('our Dockerfiles keep them', () => {
    for (const image of ['core', 'jobs'])
      expect(dockerfileRuleViolations(join(root, 'deploy/docker', `${image}.Dockerfile`))).toEqual([]);
  });

  test('an unpinned single-stage image running as root, without a health check, breaks them', () => {
    const problems = dockerfileRuleViolations(
      write('FROM oven/bun:latest\nWORKDIR /app\nCOPY . .\nRUN bun install\nCMD bun core/main.ts\n'),
    ).join('\n');
    for (const expected of [
      'one stage',
      'not pinned',
      'not the slim variant',
      'without --production',
      'runs as root',
      'no CMD in exec form',
      'no HEALTHCHECK',
    ])
      expect(problems).toContain(expected);
  });
});

test('a wrangler environment lacking a Durable Object binding or a variable is refused', () => {
  const text = readFileSync(join(root, 'wrangler.toml'), 'utf8');
  expect(wranglerEnvironmentViolations(text)).toEqual([]);
  const lacking = text
    .replace(
      /\[\[env\.staging\.durable_objects\.bindings\]\]\nname = "CATALOG_READER"\nclass_name = "CatalogReader"\n/,
      '',
    )
    .replace(/(\[env\.staging\.vars\][^[]*?)JWT_AUDIENCE = "varastokkr-api"\n/, '$1');
  expect(wranglerEnvironmentViolations(lacking)).toEqual([
    'wrangler.toml [env.staging]: lacks the Durable Object bindings CATALOG_READER=CatalogReader',
    'wrangler.toml [env.staging.vars]: lacks JWT_AUDIENCE',
  ]);
});

describe('the production checklist (deploy/README.md)', () => {
  const readme = readFileSync(join(root, 'deploy/README.md'), 'utf8');
  const without = (name: string) => readme.replace(new RegExp(`^\\| \`${name}\` +\\|.*\\n`, 'm'), '');

  test('names every variable production requires or the manifests and wrangler.toml set', () => {
    expect(checklistViolations(readme)).toEqual([]);
  });

  test('fails when a core or edge production secret, or a ConfigMap key, is missing', () => {
    for (const name of ['SIGNING_KEY_ENCRYPTION_KEY', 'INTERNAL_SECRET', 'DB_POOL_MAX', 'CORE_URL']) {
      expect(without(name)).not.toBe(readme);
      expect(checklistViolations(without(name))).toEqual([
        `deploy/README.md: the production checklist lacks ${name}`,
      ]);
    }
  });

  test('fails on a variable no schema reads', () => {
    const stale = readme.replace('| `DB_POOL_MAX` ', '| `DB_POOL_MAXIMUM` ');
    expect(checklistViolations(stale)).toContain(
      'deploy/README.md: the production checklist names DB_POOL_MAXIMUM, which no schema reads',
    );
  });
});
