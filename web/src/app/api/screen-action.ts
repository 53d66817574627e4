/**
 * What a screen's buttons share: one action at a time (buttons disabled while it runs), then
 * either what it did or, readable, why it failed. A screen keeps one and runs each click through it.
 */
import { signal } from '@angular/core';
import { readableError } from './problem-message';

export class ScreenAction {
  readonly busy = signal(false);
  readonly error = signal('');
  readonly notice = signal('');

  /** Runs `work`, which may set `notice`; a failure becomes `error` (the notice is cleared first). */
  async run(work: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.error.set('');
    this.notice.set('');
    try {
      await work();
    } catch (err) {
      this.error.set(readableError(err).message);
    } finally {
      this.busy.set(false);
    }
  }
}
