/**
 * Sign-in: a plain form (type="email", type="password", autocomplete) so password managers fill
 * it; after sign-in the person goes back to the page that sent them here.
 */
import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { Router } from '@angular/router';
import { ApiSession } from '../api/api-session';
import { safeReturnPath } from '../api/guards';
import { readableError } from '../api/problem-message';

@Component({
  selector: 'app-login-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main class="login">
      <h1>Sign in to Varastokkr</h1>
      @if (session.endedBecause(); as why) {
        <p class="notice" role="status">{{ why }}</p>
      }
      <form (submit)="submit($event)" novalidate aria-describedby="login-error">
        <label for="login-email">Email</label>
        <input id="login-email" name="email" type="email" autocomplete="username" required
               [attr.aria-invalid]="fieldErrors()['email'] ? true : null"
               [attr.aria-describedby]="fieldErrors()['email'] ? 'login-email-error' : null" />
        @if (fieldErrors()['email']; as message) {
          <p class="field-error" id="login-email-error">{{ message }}</p>
        }
        <label for="login-password">Password</label>
        <input id="login-password" name="password" type="password" autocomplete="current-password" required
               [attr.aria-invalid]="fieldErrors()['password'] ? true : null"
               [attr.aria-describedby]="fieldErrors()['password'] ? 'login-password-error' : null" />
        @if (fieldErrors()['password']; as message) {
          <p class="field-error" id="login-password-error">{{ message }}</p>
        }
        <button type="submit" [disabled]="busy()">{{ busy() ? 'Signing in…' : 'Sign in' }}</button>
        <p class="error" id="login-error" role="alert">{{ error() }}</p>
      </form>
    </main>
  `,
  styles: `
    .login { max-width: 24rem; margin: 4rem auto; padding: 0 1rem; }
    form { display: grid; gap: 0.4rem; }
    label { font-weight: 600; margin-top: 0.6rem; }
    button { margin-top: 1rem; }
    .error:empty { display: none; }
  `,
})
export class LoginPage {
  protected readonly session = inject(ApiSession);
  private readonly router = inject(Router);
  /** Where to go after sign-in (the query parameter the guard set). */
  readonly returnTo = input<string>();
  protected readonly busy = signal(false);
  protected readonly error = signal('');
  protected readonly fieldErrors = signal<Record<string, string>>({});

  protected async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    this.busy.set(true);
    this.error.set('');
    this.fieldErrors.set({});
    try {
      await this.session.signIn(String(form.get('email') ?? ''), String(form.get('password') ?? ''));
      await this.router.navigateByUrl(safeReturnPath(this.returnTo()));
    } catch (err) {
      const readable = readableError(err);
      this.error.set(readable.message);
      this.fieldErrors.set(readable.fields);
    } finally {
      this.busy.set(false);
    }
  }
}
