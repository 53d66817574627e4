/**
 * `bun run deploy:check`: what an operator applies, checked offline.
 * 1. deploy/k8s: each overlay built (scripts/kustomize.ts) and every object validated against the
 *    Kubernetes schemas (kubernetes-models), plus our rules (probes, resources, autoscaling,
 *    disruption budgets, no inlined secrets, a grace period that covers core's drain).
 * 2. deploy/docker: dockerfilelint and our image rules (scripts/dockerfile.ts).
 * 3. The edge: `wrangler deploy --dry-run --outdir` for each environment, failing past the bundle budget.
 * 4. deploy/observability: the dashboard and alert rules parse and query only exported metrics
 *    (scripts/observability-check.ts).
 * Exits 1 naming every problem found.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, productionSecrets } from '../core/platform/config.ts';
import { buildAssets } from '../edge/build-assets.ts';
import { edgeConfigSchema, edgeProductionSecrets } from '../edge/env-schema.ts';
import { dockerfileRuleViolations } from './dockerfile.ts';
import { build, type Manifest, readManifests } from './kustomize.ts';
import { observabilityViolations } from './observability-check.ts';

const root = join(import.meta.dir, '..');

/**
 * The edge bundle (worker.js, minified, uncompressed) may grow to this: 1,042,195 bytes on
 * 2026-12-02 with the GraphQL API (1,522,001 unminified before it; 1,987,382 unminified with it).
 */
export const EDGE_BUNDLE_BUDGET_BYTES = 1_200_000;

/** The overlays operators apply (deploy/README.md): each is built and checked. */
export const overlays = ['overlays/production-migrate', 'overlays/production'];

type Container = {
  name: string;
  image?: string;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
};
type PodSpec = { containers: Container[]; terminationGracePeriodSeconds?: number };

/** The schema of a manifest's kind from kubernetes-models (apps/v1 -> kubernetes-models/apps/v1/Kind). */
async function schemaErrors(m: Manifest): Promise<string[]> {
  const path = `kubernetes-models/${m.apiVersion}/${m.kind}`;
  let Model: new (data: unknown) => { validate(): void };
  try {
    Model = (await import(path))[m.kind];
  } catch {
    return [`${m.kind}/${m.metadata?.name}: no Kubernetes schema for ${m.apiVersion} ${m.kind}`];
  }
  try {
    new Model(m).validate();
    return [];
  } catch (err) {
    return [`${m.kind}/${m.metadata?.name}: ${err instanceof Error ? err.message : String(err)}`];
  }
}

/** How long core/main.ts waits for open requests on SIGTERM before it cuts them, in seconds. */
export function coreDrainSeconds(source = readFileSync(join(root, 'core/main.ts'), 'utf8')): number {
  const match = /server\.stop\(\),\s*Bun\.sleep\(([\d_]+)\)/.exec(source);
  if (!match?.[1])
    throw new Error(
      'core/main.ts: the drain (Promise.race([server.stop(), Bun.sleep(ms)...])) was not found',
    );
  return Number(match[1].replaceAll('_', '')) / 1000;
}

const podSpec = (m: Manifest) => (m.spec as { template?: { spec?: PodSpec } })?.template?.spec;

/** Our rules over one overlay's objects. */
export function ruleViolations(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  const named = (kind: string) => manifests.filter((m) => m.kind === kind);
  if (named('Secret').length > 0)
    problems.push('a Secret is in the manifests: secrets are created apart, never committed');
  const secretNames = new Set(productionSecrets.map((s) => s.name));
  for (const m of [...named('Deployment'), ...named('Job')]) {
    const spec = podSpec(m);
    const at = `${m.kind}/${m.metadata.name}`;
    for (const c of spec?.containers ?? []) {
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory)
        problems.push(`${at} ${c.name}: needs requests.cpu, requests.memory and limits.memory`);
      for (const e of c.env ?? [])
        if (secretNames.has(e.name) && e.value !== undefined)
          problems.push(`${at} ${c.name}: ${e.name} inlined`);
      if (!c.envFrom?.some((from) => from.secretRef))
        problems.push(`${at} ${c.name}: reads no Secret (envFrom secretRef)`);
    }
    if (m.kind !== 'Deployment') continue;
    const hpa = named('HorizontalPodAutoscaler').some(
      (h) => (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === m.metadata.name,
    );
    if (!hpa) problems.push(`${at}: no HorizontalPodAutoscaler`);
    const labels = (m.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    const pdb = named('PodDisruptionBudget').some((p) => {
      const match =
        (p.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels ?? {};
      return Object.entries(match).every(([k, v]) => labels[k] === v);
    });
    if (!pdb) problems.push(`${at}: no PodDisruptionBudget`);
    for (const c of spec?.containers ?? []) {
      if (c.livenessProbe?.httpGet?.path !== '/healthz')
        problems.push(`${at} ${c.name}: liveness probe is not GET /healthz`);
      if (m.metadata.name.endsWith('-core')) {
        if (c.readinessProbe?.httpGet?.path !== '/readyz')
          problems.push(`${at} ${c.name}: readiness probe is not GET /readyz`);
        const preStop = Number(c.lifecycle?.preStop?.exec?.command?.at(-1) ?? 0);
        const needed = preStop + coreDrainSeconds();
        if ((spec?.terminationGracePeriodSeconds ?? 30) <= needed)
          problems.push(
            `${at}: terminationGracePeriodSeconds must exceed preStop ${preStop} s + core's drain ${needed - preStop} s`,
          );
      }
    }
  }
  if (named('NetworkPolicy').length === 0 && named('Deployment').length > 0)
    problems.push('no NetworkPolicy');
  return problems;
}

/** The example Secret names every production secret, with no value. */
export function secretExampleViolations(file = join(root, 'deploy/k8s/secret.example.yaml')): string[] {
  const [secret] = readManifests(file);
  const data = (secret?.stringData ?? {}) as Record<string, string>;
  return productionSecrets.flatMap(({ name }) =>
    name in data
      ? data[name] === ''
        ? []
        : [`${file}: ${name} has a value`]
      : [`${file}: ${name} is missing`],
  );
}

/** Every problem in the Kubernetes manifests under `k8sDir`. */
export async function checkManifests(k8sDir = join(root, 'deploy/k8s')): Promise<string[]> {
  const problems = secretExampleViolations(join(k8sDir, 'secret.example.yaml'));
  for (const overlay of overlays) {
    let manifests: Manifest[];
    try {
      manifests = build(join(k8sDir, overlay));
    } catch (err) {
      problems.push(`${overlay}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    for (const m of manifests) problems.push(...(await schemaErrors(m)).map((p) => `${overlay}: ${p}`));
    problems.push(...ruleViolations(manifests).map((p) => `${overlay}: ${p}`));
    console.log(`k8s ${overlay}: ${manifests.length} objects checked`);
  }
  return problems;
}

/** dockerfilelint and our rules on every deploy/docker/*.Dockerfile. */
export function checkDockerfiles(dir = join(root, 'deploy/docker')): string[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.Dockerfile'))
    .map((f) => join(dir, f));
  const lint = spawnSync(join(root, 'node_modules/.bin/dockerfilelint'), ['--json', ...files], {
    encoding: 'utf8',
  });
  const report = JSON.parse(lint.stdout || '{"files":[]}') as {
    files: { file: string; issues: { line: string; title: string; description: string }[] }[];
  };
  const problems = report.files.flatMap((f) =>
    f.issues.map((i) => `${f.file}:${i.line} ${i.title}: ${i.description}`),
  );
  for (const file of files) problems.push(...dockerfileRuleViolations(file));
  console.log(`docker: ${files.length} Dockerfiles linted`);
  return problems;
}

/** `wrangler deploy --dry-run` for an environment: the bundle's size, or the failure. */
export function edgeBundle(env?: string): { bytes: number } | { error: string } {
  const out = mkdtempSync(join(tmpdir(), 'varastokkr-edge-bundle-'));
  const assets = buildAssets(join(out, 'assets'));
  try {
    const args = [
      'deploy',
      '--dry-run',
      '--outdir',
      join(out, 'bundle'),
      '--assets',
      assets,
      ...(env ? ['--env', env] : []),
    ];
    const run = spawnSync(join(root, 'node_modules/.bin/wrangler'), args, {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
        WRANGLER_SEND_METRICS: 'false',
        WRANGLER_LOG_PATH: join(out, 'logs'),
        NO_COLOR: '1',
      },
    });
    const output = `${run.stdout}\n${run.stderr}`.trim();
    // A warning here (an unknown environment, an unbound class) is a deploy that goes wrong later.
    if (run.status !== 0 || /\[WARNING\]/.test(output))
      return { error: output.split('\n').slice(-15).join('\n') };
    return { bytes: statSync(join(out, 'bundle', 'worker.js')).size };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

type WranglerConfig = {
  durable_objects?: { bindings?: { name: string; class_name: string }[] };
  vars?: Record<string, string>;
  env?: Record<string, WranglerConfig>;
};

/**
 * Each environment of wrangler.toml repeats what an environment does not inherit (wrangler
 * deploys one without them silently): every Durable Object binding and every variable.
 */
export function wranglerEnvironmentViolations(
  text = readFileSync(join(root, 'wrangler.toml'), 'utf8'),
): string[] {
  const config = Bun.TOML.parse(text) as WranglerConfig;
  const bindings = (c: WranglerConfig) =>
    (c.durable_objects?.bindings ?? []).map((b) => `${b.name}=${b.class_name}`).sort();
  const problems: string[] = [];
  if (!config.env?.staging) problems.push('wrangler.toml: no [env.staging]');
  for (const [name, env] of Object.entries(config.env ?? {})) {
    const missing = bindings(config).filter((b) => !bindings(env).includes(b));
    if (missing.length > 0)
      problems.push(`wrangler.toml [env.${name}]: lacks the Durable Object bindings ${missing.join(', ')}`);
    const vars = Object.keys(config.vars ?? {}).filter((v) => !(v in (env.vars ?? {})));
    if (vars.length > 0) problems.push(`wrangler.toml [env.${name}.vars]: lacks ${vars.join(', ')}`);
  }
  return problems;
}

function checkEdge(): string[] {
  const problems: string[] = wranglerEnvironmentViolations();
  for (const env of [undefined, 'staging']) {
    const name = env ?? 'production';
    const result = edgeBundle(env);
    if ('error' in result) {
      problems.push(`edge (${name}): wrangler deploy --dry-run failed:\n${result.error}`);
      continue;
    }
    console.log(`edge (${name}): worker.js ${result.bytes} bytes, budget ${EDGE_BUNDLE_BUDGET_BYTES} bytes`);
    if (result.bytes > EDGE_BUNDLE_BUDGET_BYTES)
      problems.push(
        `edge (${name}): worker.js is ${result.bytes} bytes, over the budget of ${EDGE_BUNDLE_BUDGET_BYTES}`,
      );
  }
  return problems;
}

/** The variables deploy/README.md's "Production checklist" names (backticked, first column). */
export function checklistNames(readme = readFileSync(join(root, 'deploy/README.md'), 'utf8')): Set<string> {
  const section = readme.split(/^## Production checklist$/m)[1]?.split(/^## /m)[0] ?? '';
  const firstColumns = section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split('|')[1] ?? '');
  return new Set(
    firstColumns.flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] ?? '')),
  );
}

/**
 * The checklist names every variable production requires (core's and the edge's production
 * secrets), every one the manifests and wrangler.toml set, and nothing the schemas do not know.
 */
export function checklistViolations(readme?: string): string[] {
  const listed = checklistNames(readme);
  const wrangler = Bun.TOML.parse(readFileSync(join(root, 'wrangler.toml'), 'utf8')) as WranglerConfig;
  const manifests = overlays.flatMap((o) => build(join(root, 'deploy/k8s', o)));
  const setByManifests = manifests.flatMap((m) => [
    ...Object.keys(m.kind === 'ConfigMap' ? ((m.data as Record<string, string>) ?? {}) : {}),
    ...(podSpec(m)?.containers ?? []).flatMap((c) => (c.env ?? []).map((e) => e.name)),
  ]);
  const required = [
    ...productionSecrets.map((s) => s.name),
    ...edgeProductionSecrets.map((s) => s.name),
    ...Object.keys(wrangler.vars ?? {}),
    ...setByManifests,
  ];
  const known = new Set([
    ...Object.keys(configSchema.shape),
    ...Object.keys(edgeConfigSchema.shape),
    'BUN_RUNTIME_TRANSPILER_CACHE_PATH',
  ]);
  return [
    ...[...new Set(required)]
      .filter((n) => !listed.has(n))
      .map((n) => `deploy/README.md: the production checklist lacks ${n}`),
    ...[...listed]
      .filter((n) => !known.has(n))
      .map((n) => `deploy/README.md: the production checklist names ${n}, which no schema reads`),
  ];
}

if (import.meta.main) {
  const problems = [
    ...checklistViolations(),
    ...(await checkManifests()),
    ...checkDockerfiles(),
    ...observabilityViolations(),
    ...checkEdge(),
  ];
  for (const problem of problems) console.error(`✗ ${problem}`);
  console.log(problems.length === 0 ? 'deploy:check passed' : `deploy:check: ${problems.length} problem(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
}
