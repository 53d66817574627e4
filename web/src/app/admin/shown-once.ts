/**
 * A secret shown exactly once, right after it is made (an API key, a webhook signing secret):
 * only a hash or a sealed copy is stored, so no page can show it again. A copy button, with the
 * field selected instead where the browser refuses the clipboard.
 */
import { ChangeDetectionStrategy, Component, input, output, signal } from '@angular/core';

@Component({
  selector: 'app-shown-once',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="shown-once" [attr.aria-labelledby]="idPrefix() + '-heading'">
      <h2 [id]="idPrefix() + '-heading'">{{ heading() }}</h2>
      <p class="warning" role="alert">Copy this {{ noun() }} now: you will not see it again. {{ why() }}</p>
      <label class="field">
        {{ label() }}
        <input [id]="idPrefix() + '-value'" type="text" readonly [value]="value()" (focus)="$any($event.target).select()" />
      </label>
      <div class="row-actions">
        <button type="button" (click)="copy()">Copy {{ noun() }}</button>
        <button type="button" class="secondary" (click)="stored.emit()">I have stored it</button>
      </div>
      <p class="ok-message" role="status">{{ copied() }}</p>
    </section>
  `,
  styles: `
    .shown-once { border: 2px solid var(--ok); border-radius: 6px; padding: 0.75rem; background: var(--surface); max-width: 40rem; }
    .shown-once input { width: 100%; font-family: ui-monospace, monospace; }
    .shown-once .warning { font-weight: 700; }
  `,
})
export class ShownOnce {
  readonly idPrefix = input.required<string>();
  readonly heading = input.required<string>();
  /** What it is, in the warning and on the copy button ("key", "secret"). */
  readonly noun = input.required<string>();
  /** The field's label. */
  readonly label = input.required<string>();
  readonly value = input.required<string>();
  /** Why it cannot be shown again. */
  readonly why = input('');
  readonly stored = output<void>();
  protected readonly copied = signal('');

  protected async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.value());
      this.copied.set('Copied to the clipboard.');
    } catch {
      // A browser that refuses the clipboard (no permission, not a secure context): select it instead.
      (document.getElementById(`${this.idPrefix()}-value`) as HTMLInputElement | null)?.select();
      this.copied.set(`Select the ${this.noun()} and copy it with your keyboard.`);
    }
  }
}
