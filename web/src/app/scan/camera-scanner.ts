/**
 * The camera: a live preview and a decoder reading it a few times a second. Started by the
 * person (a camera never turns on by itself); each code is reported once until another code is
 * seen or a moment passes, so holding a label in view does not count it ten times.
 */
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  type ElementRef,
  inject,
  output,
  signal,
  viewChild,
} from '@angular/core';
import type { BarcodeReader } from './barcode-reader';

/** The same code counts again once it has been out of view this long. */
const REPEAT_AFTER_MS = 1500;
const READ_EVERY_MS = 150;

@Component({
  selector: 'app-camera-scanner',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="camera">
      @if (running()) {
        <button type="button" (click)="stop()">Stop camera</button>
      } @else {
        <button type="button" (click)="start()">Scan with camera</button>
      }
      <video #preview [hidden]="!running()" muted playsinline aria-label="Camera preview"></video>
      @if (problem(); as text) {
        <p class="problem" role="alert">{{ text }}</p>
      }
    </div>
  `,
  styles: `
    .camera { display: grid; gap: 0.5rem; justify-items: start; }
    video { width: 100%; max-width: 28rem; border-radius: 0.5rem; background: #000; }
    .problem { margin: 0; color: var(--warn); }
  `,
})
export class CameraScanner {
  readonly scanned = output<string>();
  protected readonly running = signal(false);
  protected readonly problem = signal('');
  private readonly preview = viewChild.required<ElementRef<HTMLVideoElement>>('preview');
  private stream: MediaStream | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = { code: '', at: 0 };

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  protected async start(): Promise<void> {
    this.problem.set('');
    try {
      const [{ barcodeReader }, stream] = await Promise.all([
        import('./barcode-reader'),
        navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }),
      ]);
      this.stream = stream;
      const video = this.preview().nativeElement;
      video.srcObject = stream;
      await video.play();
      this.running.set(true);
      this.readLoop(await barcodeReader());
    } catch (err) {
      this.stop();
      this.problem.set(
        `The camera could not start (${err instanceof Error ? err.message : String(err)}). Type the code instead.`,
      );
    }
  }

  protected stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = undefined;
    this.running.set(false);
  }

  private readLoop(reader: BarcodeReader): void {
    const tick = async () => {
      if (!this.stream) return;
      const codes = await reader.read(this.preview().nativeElement).catch(() => [] as string[]);
      const code = codes[0];
      const now = Date.now();
      if (code && (code !== this.last.code || now - this.last.at > REPEAT_AFTER_MS)) this.scanned.emit(code);
      if (code) this.last = { code, at: now };
      if (this.stream) this.timer = setTimeout(tick, READ_EVERY_MS);
    };
    void tick();
  }
}
