/**
 * deploy/observability checked offline (part of `bun run deploy:check`): the Grafana dashboard
 * is JSON, the Prometheus alert rules are YAML of the rule-file shape, and every PromQL
 * expression in either names at least one of our metrics and only metrics core or the jobs
 * runner export (a renamed metric must not leave a dashboard blank or an alert silent).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../core/platform/batcher.ts'; // registers varastokkr_batch_size in processMetrics
import { httpMetrics } from '../core/platform/http-metrics.ts';
import { MetricsRegistry, processMetrics } from '../core/platform/metrics.ts';
import { jobsMetricFamilies } from '../jobs/metrics.ts';

const root = join(import.meta.dir, '..');
export const observabilityDir = join(root, 'deploy/observability');
export const DASHBOARD_FILE = 'grafana-dashboard.json';
export const ALERTS_FILE = 'alerts.yaml';

/** Every metric core and the jobs runner export, by name, with its type. */
export function exportedMetricFamilies(): Map<string, string> {
  const core = new MetricsRegistry();
  httpMetrics(core);
  const families = [...core.families(), ...processMetrics.families(), ...jobsMetricFamilies()];
  return new Map(families.map(({ name, type }) => [name, type]));
}

/** The series names a histogram exports under its family name. */
const HISTOGRAM_SERIES = ['_bucket', '_sum', '_count'];

/** What is wrong with one expression: it names none of our metrics, or one we do not export. */
export function exprViolations(expr: string, exported: Map<string, string>): string[] {
  const named = [...new Set(expr.match(/\bvarastokkr_[a-zA-Z0-9_:]*/g) ?? [])];
  if (named.length === 0) return ['names none of our metrics'];
  const known = (name: string) =>
    exported.has(name) ||
    HISTOGRAM_SERIES.some(
      (suffix) => name.endsWith(suffix) && exported.get(name.slice(0, -suffix.length)) === 'histogram',
    );
  return named.filter((n) => !known(n)).map((n) => `names ${n}, which no process exports`);
}

/** Every `expr` string anywhere in a dashboard (panels' targets, at any depth). */
function exprsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(exprsIn);
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === 'expr' && typeof value === 'string' ? [value] : exprsIn(value),
  );
}

interface AlertRule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: { severity?: unknown };
  annotations?: { summary?: unknown };
}

function dashboardViolations(text: string, exported: Map<string, string>): string[] {
  let dashboard: { title?: unknown; panels?: unknown };
  try {
    dashboard = JSON.parse(text);
  } catch (err) {
    return [`${DASHBOARD_FILE}: not JSON (${(err as Error).message})`];
  }
  if (typeof dashboard.title !== 'string' || !Array.isArray(dashboard.panels))
    return [`${DASHBOARD_FILE}: not a Grafana dashboard (a title and panels)`];
  const exprs = exprsIn(dashboard.panels);
  if (exprs.length === 0) return [`${DASHBOARD_FILE}: no panel queries anything`];
  return exprs.flatMap((expr) =>
    exprViolations(expr, exported).map((p) => `${DASHBOARD_FILE}: ${expr} ${p}`),
  );
}

function alertViolations(text: string, exported: Map<string, string>): string[] {
  let rules: { groups?: { name?: unknown; rules?: AlertRule[] }[] };
  try {
    rules = Bun.YAML.parse(text) as typeof rules;
  } catch (err) {
    return [`${ALERTS_FILE}: not YAML (${(err as Error).message})`];
  }
  if (!Array.isArray(rules?.groups) || rules.groups.length === 0)
    return [`${ALERTS_FILE}: not a Prometheus rule file (groups: [{ name, rules }])`];
  return rules.groups.flatMap((group) =>
    (Array.isArray(group.rules) ? group.rules : []).flatMap((rule, i) => {
      const where = `${ALERTS_FILE}: ${String(group.name)}[${i}] ${String(rule.alert ?? '(no alert name)')}`;
      const problems: string[] = [];
      if (typeof rule.alert !== 'string') problems.push(`${where}: no alert name`);
      if (typeof rule.expr !== 'string') return [...problems, `${where}: no expr`];
      if (typeof rule.labels?.severity !== 'string') problems.push(`${where}: no severity label`);
      if (typeof rule.annotations?.summary !== 'string') problems.push(`${where}: no summary annotation`);
      if (rule.for !== undefined && !/^\d+[smh]$/.test(String(rule.for)))
        problems.push(`${where}: for is not a duration`);
      return [...problems, ...exprViolations(rule.expr, exported).map((p) => `${where}: ${p}`)];
    }),
  );
}

/** Every problem of deploy/observability (or a copy of it in `dir`). */
export function observabilityViolations(dir = observabilityDir): string[] {
  const exported = exportedMetricFamilies();
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return [
    ...dashboardViolations(read(DASHBOARD_FILE), exported),
    ...alertViolations(read(ALERTS_FILE), exported),
  ].map((p) => `deploy/observability/${p}`);
}
