/**
 * The hand-written exposition against the strict reader the /metrics tests use: label values
 * escaped, histogram buckets cumulative with +Inf equal to the count, gauges read when scraped;
 * and the reader refuses what Prometheus would.
 */
import { describe, expect, test } from 'bun:test';
import { parsePrometheus, sampleValue } from '../../test/harness/prometheus.ts';
import { MetricsRegistry } from './metrics.ts';

describe('the exposition', () => {
  test('escapes labels, adds up buckets and reads gauges at scrape time', async () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('t_total', 'A counter.');
    const histogram = registry.histogram('t_seconds', 'A histogram.', [0.1, 1]);
    let level = 3;
    registry.gauge('t_level', 'A gauge.', async () => [{ labels: { at: 'x' }, value: level }]);
    const odd = 'a"b\nc\\d';
    counter.inc({ path: odd });
    counter.inc({ path: odd }, 2);
    for (const v of [0.05, 0.5, 0.5, 7]) histogram.observe(v, { route: '/r' });
    level = 5;
    const parsed = parsePrometheus(await registry.render());
    expect(sampleValue(parsed, 't_total', { path: odd })).toBe(3);
    expect(sampleValue(parsed, 't_seconds_bucket', { le: '0.1' })).toBe(1);
    expect(sampleValue(parsed, 't_seconds_bucket', { le: '1' })).toBe(3);
    expect(sampleValue(parsed, 't_seconds_bucket', { le: '+Inf' })).toBe(4);
    expect(sampleValue(parsed, 't_seconds_sum')).toBeCloseTo(8.05);
    expect(sampleValue(parsed, 't_level', { at: 'x' })).toBe(5);
    expect(() => registry.counter('t_total', 'again')).toThrow('registered twice');
  });
});

describe('the strict reader refuses', () => {
  const head = '# TYPE m counter\n';
  test.each([
    ['no final newline', `${head}m 1`],
    ['a sample without a TYPE', 'x 1\n'],
    ['a malformed value', `${head}m one\n`],
    ['an unquoted label', `${head}m{a=b} 1\n`],
    ['a repeated series', `${head}m{a="1"} 1\nm{a="1"} 2\n`],
    ['a TYPE after its samples', 'm 1\n# TYPE m counter\n'],
    ['a family split in two', `${head}m 1\n# TYPE n gauge\nn 1\nm{a="2"} 1\n`],
    [
      'buckets that shrink',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n',
    ],
    ['+Inf unlike the count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 1\nh_sum 1\n'],
  ])('%s', (_, text) => {
    expect(() => parsePrometheus(text)).toThrow();
  });
});
