/** The purchasing screens' addresses (children of the signed-in frame), each for its policy action. */
import type { Routes } from '@angular/router';
import { offers } from '../api/guards';

export const purchasingRoutes: Routes = [
  {
    path: 'purchasing',
    canActivate: [offers('purchase-orders:read')],
    loadComponent: () => import('./purchasing.page').then((m) => m.PurchasingPage),
    title: 'Purchasing · Varastokkr',
  },
  {
    path: 'purchasing/orders/new',
    canActivate: [offers('purchase-orders:write')],
    loadComponent: () => import('./new-purchase-order.page').then((m) => m.NewPurchaseOrderPage),
    title: 'New purchase order · Varastokkr',
  },
  {
    path: 'purchasing/orders/:id',
    canActivate: [offers('purchase-orders:read')],
    loadComponent: () => import('./purchase-order.page').then((m) => m.PurchaseOrderPage),
    title: 'Purchase order · Varastokkr',
  },
  {
    path: 'purchasing/vendors/new',
    canActivate: [offers('vendors:write')],
    loadComponent: () => import('./vendor.page').then((m) => m.VendorPage),
    title: 'New vendor · Varastokkr',
  },
  {
    path: 'purchasing/vendors/:id',
    canActivate: [offers('vendors:read')],
    loadComponent: () => import('./vendor.page').then((m) => m.VendorPage),
    title: 'Vendor · Varastokkr',
  },
  {
    path: 'purchasing/replenishment',
    canActivate: [offers('replenishment:plan')],
    loadComponent: () => import('./replenishment.page').then((m) => m.ReplenishmentPage),
    title: 'Replenishment · Varastokkr',
  },
];
