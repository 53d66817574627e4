/** Every screen has its own address, so any of them can be bookmarked or shared. */
import type { Routes } from '@angular/router';
import { firstWarehouseBoard, signedIn } from './api/guards';
import { LoginPage } from './login/login.page';
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
        path: 'products',
        loadComponent: () => import('./products/products.page').then((m) => m.ProductsPage),
        title: 'Products · Varastokkr',
      },
      {
        path: 'products/:sku',
        loadComponent: () => import('./products/product.page').then((m) => m.ProductPage),
        title: 'Product · Varastokkr',
      },
    ],
  },
  {
    path: '**',
    loadComponent: () => import('./shell/not-found.page').then((m) => m.NotFoundPage),
    title: 'Not found · Varastokkr',
  },
];
