/**
 * Prometheus metrics, written by hand in the text exposition format (version 0.0.4): counters,
 * histograms and gauges, labelled, in a registry that renders them for GET /metrics. Small on
 * purpose: recording is a map lookup and a few additions (it runs on every request), and what
 * costs a query (the job queue, the rooms' feed) is read only when Prometheus scrapes.
 */

export type Labels = Record<string, string>;

/** The content type of the text format Prometheus scrapes. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Seconds buckets for request latency: 5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Item-count buckets for batch sizes. */
export const SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

const formatValue = (n: number) =>
  Number.isNaN(n) ? 'NaN' : n === Infinity ? '+Inf' : n === -Infinity ? '-Inf' : String(n);

/** One series per label set, keyed by its rendered labels (label order is the caller's, fixed per metric). */
abstract class Metric<S> {
  protected readonly series = new Map<string, { labels: Labels; state: S }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram' | 'gauge',
  ) {}

  protected state(labels: Labels): S {
    const key = labelText(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels, state: this.fresh() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  protected abstract fresh(): S;
  abstract samples(): Promise<string[]>;

  async render(): Promise<string> {
    const samples = await this.samples();
    return [
      `# HELP ${this.name} ${this.help.replace(/\n/g, ' ')}`,
      `# TYPE ${this.name} ${this.type}`,
      ...samples,
    ]
      .map((line) => `${line}\n`)
      .join('');
  }
}

export class Counter extends Metric<{ value: number }> {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  protected fresh() {
    return { value: 0 };
  }
  inc(labels: Labels = {}, by = 1): void {
    this.state(labels).value += by;
  }
  async samples() {
    return [...this.series.values()].map(
      ({ labels, state }) => `${this.name}${labelText(labels)} ${state.value}`,
    );
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<HistogramState> {
  constructor(
    name: string,
    help: string,
    private readonly buckets: readonly number[],
  ) {
    super(name, help, 'histogram');
  }
  protected fresh(): HistogramState {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  observe(value: number, labels: Labels = {}): void {
    const s = this.state(labels);
    s.sum += value;
    s.count++;
    // Counts per bucket, not cumulative: rendering adds them up (one increment per observation).
    const i = this.buckets.findIndex((le) => value <= le);
    if (i >= 0) s.counts[i] = (s.counts[i] ?? 0) + 1;
  }
  async samples() {
    const out: string[] = [];
    for (const { labels, state } of this.series.values()) {
      let cumulative = 0;
      for (const [i, le] of this.buckets.entries()) {
        cumulative += state.counts[i] ?? 0;
        out.push(`${this.name}_bucket${labelText(labels, ['le', formatValue(le)])} ${cumulative}`);
      }
      out.push(`${this.name}_bucket${labelText(labels, ['le', '+Inf'])} ${state.count}`);
      out.push(`${this.name}_sum${labelText(labels)} ${state.sum}`);
      out.push(`${this.name}_count${labelText(labels)} ${state.count}`);
    }
    return out;
  }
}

export interface GaugeReading {
  labels?: Labels;
  value: number;
}

/** A gauge read when scraped: `read` answers one value per label set. */
export class Gauge extends Metric<never> {
  constructor(
    name: string,
    help: string,
    private readonly read: () => Promise<GaugeReading[]>,
  ) {
    super(name, help, 'gauge');
  }
  protected fresh(): never {
    throw new Error('a scraped gauge keeps no state');
  }
  async samples() {
    const values = await this.read();
    return values.map(({ labels = {}, value }) => `${this.name}${labelText(labels)} ${formatValue(value)}`);
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric<unknown>>();

  private add<M extends Metric<unknown>>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }
  gauge(name: string, help: string, read: () => Promise<GaugeReading[]>): Gauge {
    return this.add(new Gauge(name, help, read));
  }
  /** Each metric's name and type (deploy:check compares the alert rules and dashboard with them). */
  families(): { name: string; type: string }[] {
    return [...this.metrics.values()].map(({ name, type }) => ({ name, type }));
  }
  async render(): Promise<string> {
    const parts = await Promise.all([...this.metrics.values()].map((m) => m.render()));
    return parts.join('');
  }
}

/**
 * What a process records outside any one app (the batchers are module-level, one per pool):
 * every /metrics of this process includes it.
 */
export const processMetrics = new MetricsRegistry();

/** The text of several registries together (names must not repeat across them). */
export async function renderMetrics(registries: readonly MetricsRegistry[]): Promise<string> {
  return (await Promise.all(registries.map((r) => r.render()))).join('');
}
