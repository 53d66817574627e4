/**
 * Collects items as they arrive and hands them over once per animation frame, so a burst of
 * room messages costs one merge and one render instead of one per message.
 */
export type FrameScheduler = (run: () => void) => unknown;

// Looked up on globalThis: the unit tests run where there are no frames (Bun), and use timers.
const frames = (globalThis as { requestAnimationFrame?: FrameScheduler }).requestAnimationFrame;
const nextFrame: FrameScheduler = (run) => (frames ? frames(run) : setTimeout(run, 16));

export class FrameBatcher<T> {
  private pending: T[] = [];
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly flush: (batch: T[]) => void,
    private readonly schedule: FrameScheduler = nextFrame,
  ) {}

  push(item: T): void {
    if (this.stopped) return;
    this.pending.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      const batch = this.pending;
      this.pending = [];
      if (!this.stopped && batch.length > 0) this.flush(batch);
    });
  }

  /** Drops what is pending (a new snapshot replaces it) without stopping. */
  clear(): void {
    this.pending = [];
  }

  stop(): void {
    this.stopped = true;
    this.pending = [];
  }
}
