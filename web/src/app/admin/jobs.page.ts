/**
 * /admin/jobs: the background job queue. Failed jobs first (each with its last error, which is
 * what an admin needs to decide whether a retry will help), and a retry that makes one due now
 * with fresh attempts. Waiting jobs can be listed too, to see a retried one pending.
 */
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import type { components } from '@varastokkr/client';
import { ApiSession } from '../api/api-session';
import { PagedList } from '../api/paged-list';
import { readableError } from '../api/problem-message';
import { whenLabel } from './access';

type Job = components['schemas']['Job'];
/** What the list shows: failed jobs, or those waiting to run. */
type JobState = 'failed' | 'pending';

@Component({
  selector: 'app-jobs-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main class="screen">
      <h1>Jobs</h1>
      <div class="toolbar">
        <label class="field">
          Show
          <select name="state" (change)="show($any($event.target).value)">
            <option value="failed" [selected]="state() === 'failed'">Failed jobs</option>
            <option value="pending" [selected]="state() === 'pending'">Waiting jobs</option>
          </select>
        </label>
        <button type="button" class="secondary" (click)="jobs.reload()">Refresh</button>
      </div>
      <p class="ok-message" role="status">{{ notice() }}</p>
      <p class="error" role="alert">{{ jobs.error() || error() }}</p>
      <table class="list" [attr.aria-label]="state() === 'failed' ? 'Failed jobs' : 'Waiting jobs'">
        <thead>
          <tr><th scope="col">Job</th><th scope="col">Task</th><th scope="col">Attempts</th>
            <th scope="col">Last error</th><th scope="col">Due</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
        </thead>
        <tbody>
          @for (job of jobs.items(); track job.id) {
            <tr [attr.data-job-id]="job.id">
              <td data-label="Job">{{ job.id }}</td>
              <td data-label="Task">{{ job.task }}</td>
              <td data-label="Attempts" class="num">{{ job.attempts }} of {{ job.maxAttempts }}</td>
              <td data-label="Last error"><code class="job-error">{{ job.lastError ?? '–' }}</code></td>
              <td data-label="Due">{{ whenLabel(job.runAt) }}</td>
              <td data-label="Actions" class="row-actions">
                @if (job.state === 'failed') {
                  <button type="button" [disabled]="busy()" (click)="retry(job)"
                          [attr.aria-label]="'Retry job ' + job.id">Retry</button>
                }
              </td>
            </tr>
          } @empty {
            <tr><td colspan="6">{{ jobs.loaded() ? (state() === 'failed' ? 'No failed jobs.' : 'No jobs waiting.') : 'Loading jobs…' }}</td></tr>
          }
        </tbody>
      </table>
      @if (jobs.nextCursor()) {
        <p><button type="button" class="secondary" (click)="jobs.more()">Show more jobs</button></p>
      }
    </main>
  `,
  styles: `.job-error { white-space: pre-wrap; overflow-wrap: anywhere; }`,
})
export class JobsPage {
  private readonly session = inject(ApiSession);
  protected readonly state = signal<JobState>('failed');
  protected readonly jobs = new PagedList<Job>(async (cursor) => {
    const state = this.state();
    const { data } = await this.session.api((c) =>
      c.GET('/api/jobs', { params: { query: { state, limit: 50, ...(cursor ? { cursor } : {}) } } }),
    );
    return data;
  });
  protected readonly error = signal('');
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  protected readonly whenLabel = whenLabel;

  constructor() {
    void this.jobs.reload();
  }

  protected show(state: JobState): void {
    this.state.set(state);
    this.notice.set('');
    void this.jobs.reload();
  }

  protected async retry(job: Job): Promise<void> {
    this.busy.set(true);
    this.error.set('');
    try {
      await this.session.api((c) => c.POST('/api/jobs/{id}/retry', { params: { path: { id: job.id } } }));
      // Due now: the runner may already be on it, so it leaves the failed list.
      this.jobs.change((jobs) => jobs.filter((j) => j.id !== job.id));
      this.notice.set(`Job ${job.id} (${job.task}) will run again now.`);
    } catch (err) {
      this.error.set(readableError(err).message);
    } finally {
      this.busy.set(false);
    }
  }
}
