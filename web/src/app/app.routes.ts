/** Every screen has its own address, so any of them can be bookmarked or shared. */
import type { Routes } from '@angular/router';
import { firstWarehouseBoard, offers, signedIn } from './api/guards';
import { LoginPage } from './login/login.page';
import { purchasingRoutes } from './purchasing/purchasing.routes';
import { AppShell } from './shell/app-shell';

export const routes: Routes = [
  { path: 'login', component: LoginPage, title: 'Sign in · Varastokkr' },
  {
    path: '',
    component: AppShell,
    canActivate: [signedIn],
    children: [
      {
        path: '',
        pathMatch: 'full',
        canActivate: [firstWarehouseBoard],
        loadComponent: () => import('./shell/no-warehouse.page').then((m) => m.NoWarehousePage),
        title: 'Varastokkr',
      },
      {
        path: 'warehouses/:id/stock',
        loadComponent: () => import('./stock/stock-board.page').then((m) => m.StockBoardPage),
        title: 'Stock · Varastokkr',
      },
      {
        path: 'admin/users',
        canActivate: [offers('users:manage')],
        loadComponent: () => import('./admin/users.page').then((m) => m.UsersPage),
        title: 'Users · Varastokkr',
      },
      {
        path: 'admin/api-keys',
        canActivate: [offers('api-keys:manage')],
        loadComponent: () => import('./admin/api-keys.page').then((m) => m.ApiKeysPage),
        title: 'API keys · Varastokkr',
      },
      {
        path: 'admin/jobs',
        canActivate: [offers('jobs:manage')],
        loadComponent: () => import('./admin/jobs.page').then((m) => m.JobsPage),
        title: 'Jobs · Varastokkr',
      },
      ...purchasingRoutes,
    ],
  },
  {
    path: '**',
    loadComponent: () => import('./shell/not-found.page').then((m) => m.NotFoundPage),
    title: 'Not found · Varastokkr',
  },
];
