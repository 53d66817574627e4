/**
 * The services and the URL prefixes each one answers. The edge gateway routes by this table,
 * so a service can run in its own process (CORE_URL_<SERVICE> at the edge) without code changes.
 */
export const serviceNames = [
  'identity',
  'catalog',
  'inventory',
  'orders',
  'purchasing',
  'integrations',
  'webhooks',
  'audit',
  'analytics',
] as const;
export type ServiceName = (typeof serviceNames)[number];

/**
 * Only prefixes a service answers today (core-http.test.ts checks each has a route): a planned
 * area of ../shared/API.md (vendors, purchase orders, webhooks, analytics) gets its prefix with
 * its first route. Until then the edge answers 404 itself.
 */
export const servicePrefixes: Record<ServiceName, readonly string[]> = {
  identity: ['/api/auth', '/api/users', '/api/api-keys', '/.well-known/jwks.json'],
  catalog: ['/api/products', '/api/barcodes'],
  inventory: ['/api/warehouses', '/api/inventory', '/api/transfers'],
  orders: ['/api/orders'],
  purchasing: ['/api/vendors', '/api/purchase-orders', '/api/replenishment'],
  integrations: ['/api/jobs', '/api/integrations'],
  webhooks: ['/api/webhooks'],
  audit: ['/api/audit'],
  analytics: ['/api/analytics'],
};

/** Paths anyone may call: signing in, and the keys that verify tokens. Everything else needs credentials. */
export const publicPaths: readonly string[] = [
  '/api/auth/login',
  '/api/auth/refresh',
  '/api/auth/logout',
  '/.well-known/jwks.json',
  // Shops' order webhooks: believed by the platform's signature over the raw body, not a token.
  '/api/integrations/shopify/orders',
  '/api/integrations/woocommerce/orders',
  // QStash's delivery callbacks: believed by its signature (Upstash-Signature), not a token.
  '/api/webhooks/qstash/callback',
];

/** Paths inside another service's prefix that belong elsewhere: stock is inventory's. */
const serviceExceptions: readonly { pattern: RegExp; service: ServiceName }[] = [
  { pattern: /^\/api\/products\/[^/]+\/availability$/, service: 'inventory' },
];

/** The service that owns a path, or undefined when no service claims it. */
export function serviceForPath(path: string): ServiceName | undefined {
  const exception = serviceExceptions.find((e) => e.pattern.test(path));
  if (exception) return exception.service;
  for (const name of serviceNames) {
    if (servicePrefixes[name].some((p) => path === p || path.startsWith(`${p}/`))) return name;
  }
  return undefined;
}

export function isServiceName(value: string): value is ServiceName {
  return (serviceNames as readonly string[]).includes(value);
}
