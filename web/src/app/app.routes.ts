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
        path: 'products',
        loadComponent: () => import('./products/products.page').then((m) => m.ProductsPage),
        title: 'Products · Varastokkr',
      },
      {
        path: 'products/:sku',
        loadComponent: () => import('./products/product.page').then((m) => m.ProductPage),
        title: 'Product · Varastokkr',
      },
      {
        path: 'warehouses/:id/adjust',
        canActivate: [offers('stock:adjust')],
        loadComponent: () => import('./stock-moves/adjust.page').then((m) => m.AdjustPage),
        title: 'Adjust stock · Varastokkr',
      },
      {
        path: 'warehouses/:id/counts',
        canActivate: [offers('stock:adjust')],
        loadComponent: () => import('./stock-moves/count.page').then((m) => m.CountPage),
        title: 'Count stock · Varastokkr',
      },
      {
        path: 'orders',
        canActivate: [offers('orders:read')],
        loadComponent: () => import('./orders/orders-list.page').then((m) => m.OrdersListPage),
        title: 'Orders · Varastokkr',
      },
      {
        path: 'orders/:id',
        canActivate: [offers('orders:read')],
        loadComponent: () => import('./orders/order-detail.page').then((m) => m.OrderDetailPage),
        title: 'Order · Varastokkr',
      },
      {
        path: 'orders/:id/pick',
        canActivate: [offers('orders:read')],
        loadComponent: () => import('./orders/pick-list.page').then((m) => m.PickListPage),
        title: 'Pick list · Varastokkr',
      },
      {
        path: 'transfers',
        canActivate: [offers('transfers:read')],
        loadComponent: () => import('./transfers/transfers.page').then((m) => m.TransfersPage),
        title: 'Transfers · Varastokkr',
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
        path: 'admin/webhooks',
        canActivate: [offers('webhooks:manage')],
        loadComponent: () => import('./partners/webhooks.page').then((m) => m.WebhooksPage),
        title: 'Webhooks · Varastokkr',
      },
      {
        path: 'admin/webhooks/:id',
        canActivate: [offers('webhooks:manage')],
        loadComponent: () => import('./partners/webhook.page').then((m) => m.WebhookPage),
        title: 'Webhook deliveries · Varastokkr',
      },
      {
        path: 'admin/integrations',
        canActivate: [offers('integrations:manage')],
        loadComponent: () => import('./partners/integrations.page').then((m) => m.IntegrationsPage),
        title: 'Integrations · Varastokkr',
      },
      {
        path: 'admin/jobs',
        canActivate: [offers('jobs:manage')],
        loadComponent: () => import('./admin/jobs.page').then((m) => m.JobsPage),
        title: 'Jobs · Varastokkr',
      },
      {
        path: 'analytics',
        canActivate: [offers('analytics:read')],
        loadComponent: () => import('./analytics/analytics.page').then((m) => m.AnalyticsPage),
        title: 'Analytics · Varastokkr',
      },
      ...purchasingRoutes,
      {
        path: 'scan',
        canActivate: [offers('stock:adjust')],
        loadComponent: () => import('./scan/scan.page').then((m) => m.ScanPage),
        title: 'Scanner · Varastokkr',
      },
    ],
  },
  {
    path: '**',
    loadComponent: () => import('./shell/not-found.page').then((m) => m.NotFoundPage),
    title: 'Not found · Varastokkr',
  },
];
