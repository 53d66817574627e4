import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { ProblemError } from '@varastokkr/client';
import { ApiSession } from '../api/api-session';
import { LoginPage } from './login.page';

/** The session the page talks to, answering sign-in as a test says. */
function sessionAnswering(signIn: (email: string, password: string) => Promise<unknown>) {
  return { endedBecause: () => undefined, signIn };
}

async function renderWith(signIn: (email: string, password: string) => Promise<unknown>, returnTo?: string) {
  TestBed.configureTestingModule({
    providers: [provideRouter([]), { provide: ApiSession, useValue: sessionAnswering(signIn) }],
  });
  const fixture = TestBed.createComponent(LoginPage);
  if (returnTo) fixture.componentRef.setInput('returnTo', returnTo);
  await fixture.whenStable();
  const page = fixture.nativeElement as HTMLElement;
  const email = page.querySelector('input[type=email]') as HTMLInputElement;
  const password = page.querySelector('input[type=password]') as HTMLInputElement;
  return { fixture, page, email, password };
}

describe('LoginPage', () => {
  it('has labelled email and password fields that password managers recognise', async () => {
    const { page, email, password } = await renderWith(async () => undefined);
    expect(page.querySelector(`label[for=${email.id}]`)?.textContent).toBe('Email');
    expect(page.querySelector(`label[for=${password.id}]`)?.textContent).toBe('Password');
    expect(email.autocomplete).toBe('username');
    expect(password.autocomplete).toBe('current-password');
  });

  it('shows the field the API named beside it, and the whole problem in words', async () => {
    const { fixture, page, email, password } = await renderWith(async () => {
      throw new ProblemError({
        type: 'https://varastokkr.dev/problems/validation',
        title: 'Validation failed',
        status: 400,
        errors: [{ path: 'password', message: 'Too small: expected string to have >=1 characters' }],
      });
    });
    email.value = 'clerk@example.com';
    page.querySelector('form')?.dispatchEvent(new SubmitEvent('submit', { cancelable: true }));
    await fixture.whenStable();
    expect(page.querySelector('[role=alert]')?.textContent).toBe(
      'Password: Too small: expected string to have >=1 characters',
    );
    expect(password.getAttribute('aria-invalid')).toBe('true');
    expect(page.querySelector(`#${password.getAttribute('aria-describedby')}`)?.textContent).toContain(
      'Too small',
    );
  });

  it('signs in with what was typed and goes back where the person was going', async () => {
    const calls: string[][] = [];
    const { fixture, page, email, password } = await renderWith(async (e, p) => {
      calls.push([e, p]);
    }, '/warehouses/w1/stock?x=1');
    const router = TestBed.inject(Router);
    const went: string[] = [];
    router.navigateByUrl = async (url) => {
      went.push(String(url));
      return true;
    };
    email.value = 'clerk@example.com';
    password.value = 'secret';
    page.querySelector('form')?.dispatchEvent(new SubmitEvent('submit', { cancelable: true }));
    await fixture.whenStable();
    expect(calls).toEqual([['clerk@example.com', 'secret']]);
    expect(went).toEqual(['/warehouses/w1/stock?x=1']);
  });

  it('never follows a return path to another site', async () => {
    const { fixture, page } = await renderWith(async () => undefined, '//evil.example/x');
    const router = TestBed.inject(Router);
    const went: string[] = [];
    router.navigateByUrl = async (url) => {
      went.push(String(url));
      return true;
    };
    page.querySelector('form')?.dispatchEvent(new SubmitEvent('submit', { cancelable: true }));
    await fixture.whenStable();
    expect(went).toEqual(['/']);
  });
});
