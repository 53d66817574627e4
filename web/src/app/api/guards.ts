/** Route guards: who may open a screen, and where `/` leads. */
import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { ApiSession } from './api-session';
import { Warehouses } from './warehouses';

/** A signed-out visitor goes to /login, which brings them back here afterwards. */
export const signedIn: CanActivateFn = (_route, state) => {
  if (inject(ApiSession).signedIn()) return true;
  return inject(Router).createUrlTree(['/login'], { queryParams: { returnTo: state.url } });
};

/**
 * A screen for one policy action (`offers('users:manage')`): anyone else gets the not-found
 * page, as if the screen did not exist for them. The API refuses the calls anyway.
 */
export function offers(action: string): CanActivateFn {
  return () => inject(ApiSession).can(action) || inject(Router).parseUrl('/not-found');
}

/** `/` opens the first warehouse's stock board (or stays, to say there is none). */
export const firstWarehouseBoard: CanActivateFn = async () => {
  const router = inject(Router);
  const warehouses = await inject(Warehouses)
    .load()
    .catch(() => []);
  const first = warehouses[0];
  return first ? router.createUrlTree(['/warehouses', first.id, 'stock']) : true;
};

/** Only a same-app path is followed after sign-in (never another origin). */
export function safeReturnPath(returnTo: string | null | undefined): string {
  return returnTo?.startsWith('/') && !returnTo.startsWith('//') && !returnTo.startsWith('/login')
    ? returnTo
    : '/';
}
