/**
 * CPU-heavy work (label sheets) on Bun Worker threads, so the request loop keeps answering while
 * it runs. At most `size` jobs run at once, at most `maxQueued` wait; beyond that a job is
 * refused at once with a 503 and Retry-After, never queued without bound. A job that runs past
 * `timeoutMs` has its thread terminated (and replaced), so a slot is never held forever.
 *
 * The worker script calls serveJobs(handler). A ValidationError thrown there comes back as the
 * same 422; anything else becomes a plain Error here (a 500 that names nothing internal).
 */
import { type FieldError, ServiceUnavailableError, ValidationError } from './problem.ts';

export interface WorkerPoolOptions {
  /** The worker script (a module that calls serveJobs). */
  url: URL;
  /** What runs there, for messages: "label rendering". */
  name: string;
  size: number;
  maxQueued: number;
  timeoutMs: number;
  retryAfterSeconds?: number;
}

type Outcome<R> =
  | { id: number; ok: true; result: R }
  | { id: number; ok: false; validation?: { errors: FieldError[]; detail: string }; message: string };

interface Running<R> {
  id: number;
  resolve(result: R): void;
  reject(err: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

/** The answer when every thread is busy and the queue is full: try again shortly. */
export class PoolBusyError extends ServiceUnavailableError {
  constructor(name: string, retryAfterSeconds: number) {
    super(`Too much ${name} at once; retry in a moment.`, { retryAfter: retryAfterSeconds });
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}

export class WorkerPool<J, R> {
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Running<R>>();
  private readonly waiting: Array<{ resolve(worker: Worker): void; reject(err: unknown): void }> = [];
  private readonly live = new Set<Worker>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: WorkerPoolOptions) {}

  /** Jobs on a thread now, and jobs waiting for one. */
  get load(): { running: number; queued: number } {
    return { running: this.running.size, queued: this.waiting.length };
  }

  async run(job: J): Promise<R> {
    const worker = await this.acquire();
    return new Promise<R>((resolve, reject) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.replace(worker, new Error(`${this.opts.name} took longer than ${this.opts.timeoutMs} ms`));
      }, this.opts.timeoutMs);
      this.running.set(worker, { id, resolve, reject, timer });
      worker.ref();
      worker.postMessage({ id, job });
    });
  }

  /** Terminates every thread; jobs still running or waiting are refused. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0))
      waiter.reject(new PoolBusyError(this.opts.name, this.retryAfter));
    for (const worker of [...this.running.keys()]) this.replace(worker, new Error('The pool closed'));
    for (const worker of this.idle.splice(0)) {
      this.live.delete(worker);
      worker.terminate();
    }
  }

  private acquire(): Promise<Worker> {
    if (this.closed) return Promise.reject(new PoolBusyError(this.opts.name, this.retryAfter));
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.live.size < this.opts.size) return Promise.resolve(this.spawn());
    if (this.waiting.length >= this.opts.maxQueued)
      return Promise.reject(new PoolBusyError(this.opts.name, this.retryAfter));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private get retryAfter() {
    return this.opts.retryAfterSeconds ?? 1;
  }

  private spawn(): Worker {
    const worker = new Worker(this.opts.url.href);
    this.live.add(worker);
    worker.unref();
    worker.onmessage = (event: MessageEvent<Outcome<R>>) => this.settle(worker, event.data);
    worker.onerror = (event) => this.replace(worker, new Error(`${this.opts.name} failed: ${event.message}`));
    return worker;
  }

  private settle(worker: Worker, outcome: Outcome<R>) {
    const job = this.running.get(worker);
    if (!job || job.id !== outcome.id) return;
    this.finish(worker, job);
    if (outcome.ok) job.resolve(outcome.result);
    else if (outcome.validation)
      job.reject(new ValidationError(outcome.validation.errors, outcome.validation.detail));
    else job.reject(new Error(`${this.opts.name} failed: ${outcome.message}`));
    this.release(worker);
  }

  private finish(worker: Worker, job: Running<R>) {
    clearTimeout(job.timer);
    this.running.delete(worker);
    worker.unref();
  }

  /** Hands a free thread to the next waiter, or keeps it idle. */
  private release(worker: Worker) {
    if (this.closed) {
      this.live.delete(worker);
      worker.terminate();
      return;
    }
    const next = this.waiting.shift();
    if (next) next.resolve(worker);
    else this.idle.push(worker);
  }

  /** A thread that crashed or ran too long: its job fails, a fresh thread takes its place. */
  private replace(worker: Worker, reason: Error) {
    if (!this.live.delete(worker)) return; // already replaced (a timeout, then its error event)
    const job = this.running.get(worker);
    if (job) {
      this.finish(worker, job);
      job.reject(reason);
    }
    const idleAt = this.idle.indexOf(worker);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    worker.terminate();
    const next = this.closed ? undefined : this.waiting.shift();
    if (next) next.resolve(this.spawn());
  }
}

/** The worker side: answers each posted job with the handler's result or its error. */
export function serveJobs<J, R>(handler: (job: J) => Promise<R> | R): void {
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent<{ id: number; job: J }>) => void) | null;
    postMessage(message: Outcome<R>): void;
  };
  scope.onmessage = async ({ data: { id, job } }) => {
    try {
      scope.postMessage({ id, ok: true, result: await handler(job) });
    } catch (err) {
      const validation =
        err instanceof ValidationError ? { errors: err.errors, detail: err.message } : undefined;
      scope.postMessage({
        id,
        ok: false,
        ...(validation ? { validation } : {}),
        message: err instanceof Error ? err.message : String(err),
      });
    }
  };
}
