/** An address the dashboard has no screen for (the edge serves index.html for every page path). */
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink } from '@angular/router';

@Component({
  selector: 'app-not-found-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  template: `<main class="page">
    <h1>Page not found</h1>
    <p>Varastokkr has no page at this address. <a routerLink="/">Go to your stock board</a>.</p>
  </main>`,
  styles: `.page { padding: 1rem; max-width: 40rem; margin: 2rem auto; }`,
})
export class NotFoundPage {}
