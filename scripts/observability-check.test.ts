/**
 * deploy/observability as `bun run deploy:check` checks it: the committed dashboard and alert
 * rules pass, query only metrics the processes export, and hold the alerts the issue asks for;
 * a renamed metric, broken JSON or a rule without an expression fails, naming the file.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALERTS_FILE,
  DASHBOARD_FILE,
  exportedMetricFamilies,
  exprViolations,
  observabilityDir,
  observabilityViolations,
} from './observability-check.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A copy of deploy/observability with `file` changed. */
function changedCopy(file: string, change: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'varastokkr-observability-'));
  dirs.push(dir);
  cpSync(observabilityDir, dir, { recursive: true });
  const before = readFileSync(join(dir, file), 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(join(dir, file), after);
  return dir;
}

describe('deploy/observability', () => {
  test('the committed dashboard and alert rules pass', () => {
    expect(observabilityViolations()).toEqual([]);
  });

  test('the alerts cover a stale job queue, feed lag over 5 s and the 5xx rate', () => {
    const rules = (
      Bun.YAML.parse(readFileSync(join(observabilityDir, ALERTS_FILE), 'utf8')) as {
        groups: { rules: { alert: string; expr: string }[] }[];
      }
    ).groups.flatMap((g) => g.rules);
    const exprOf = (alert: string) => rules.find((r) => r.alert === alert)?.expr ?? '';
    expect(exprOf('VarastokkrJobQueueStale')).toContain('varastokkr_jobs_oldest_runnable_age_seconds) > 60');
    expect(exprOf('VarastokkrRoomFeedLagging')).toContain('varastokkr_room_feed_lag_seconds) > 5');
    expect(exprOf('VarastokkrHigh5xxRate')).toContain('status="5xx"');
  });

  test('the exported metrics include every kind the issue names', () => {
    expect([...exportedMetricFamilies().keys()]).toEqual(
      expect.arrayContaining([
        'varastokkr_http_request_duration_seconds',
        'varastokkr_batch_size',
        'varastokkr_jobs_runnable',
        'varastokkr_jobs_oldest_runnable_age_seconds',
        'varastokkr_room_feed_lag_seconds',
        'varastokkr_webhook_backlog',
      ]),
    );
  });

  test("a histogram's series count as its family; a made-up name or none does not", () => {
    const exported = exportedMetricFamilies();
    expect(exprViolations('rate(varastokkr_http_request_duration_seconds_bucket[5m])', exported)).toEqual([]);
    expect(exprViolations('varastokkr_room_feed_lag_seconds_count', exported)).toEqual([
      'names varastokkr_room_feed_lag_seconds_count, which no process exports',
    ]);
    expect(exprViolations('up == 0', exported)).toEqual(['names none of our metrics']);
  });

  test('a renamed metric in an alert or a panel fails, naming the file', () => {
    const alert = changedCopy(ALERTS_FILE, (t) =>
      t.replace('varastokkr_room_feed_lag_seconds', 'varastokkr_feed_lag'),
    );
    expect(observabilityViolations(alert)).toEqual([
      expect.stringContaining(
        'alerts.yaml: varastokkr[1] VarastokkrRoomFeedLagging: names varastokkr_feed_lag',
      ),
    ]);
    const panel = changedCopy(DASHBOARD_FILE, (t) =>
      t.replace('varastokkr_webhook_backlog', 'webhook_backlog'),
    );
    expect(observabilityViolations(panel)).toEqual([
      expect.stringContaining('grafana-dashboard.json: max(webhook_backlog) names none of our metrics'),
    ]);
  });

  test('a dashboard that is not JSON and a rule without an expr fail', () => {
    const broken = changedCopy(DASHBOARD_FILE, (t) => t.slice(0, -3));
    expect(observabilityViolations(broken)[0]).toContain('grafana-dashboard.json: not JSON');
    const noExpr = changedCopy(ALERTS_FILE, (t) =>
      t.replace('expr: max(varastokkr_room_feed_lag_seconds) > 5', ''),
    );
    expect(observabilityViolations(noExpr)).toEqual([
      expect.stringContaining('VarastokkrRoomFeedLagging: no expr'),
    ]);
  });
});
