/** Where `/` stays when the signed-in user has no warehouse to show. */
import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'app-no-warehouse-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<main class="page">
    <h1>No warehouse yet</h1>
    <p>You have no warehouse to show. An admin creates warehouses (POST /api/warehouses) and gives people access to them.</p>
  </main>`,
  styles: `.page { padding: 1rem; max-width: 40rem; margin: 0 auto; }`,
})
export class NoWarehousePage {}
