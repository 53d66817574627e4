/**
 * The GraphQL read API's schema, code first (printed to schema.graphql by `bun run
 * graphql:schema`; a test keeps the two equal). Objects are the REST answers as they come (same
 * field names), so most fields need no resolver; what links objects (a line's product, a
 * product's availability) goes through the request's batch loaders (sources.ts).
 */
import {
  GraphQLBoolean,
  type GraphQLFieldConfigArgumentMap,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLOutputType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  valueFromASTUntyped,
} from 'graphql';
import type { WarehouseAvailability as AvailabilityEntry } from '../../core/inventory/availability.ts';

/** Query parameters of a REST read; null and undefined ones are left out. */
export type Query = Record<string, string | number | null | undefined>;

/** What the resolvers read through: sources.ts, made for each request. */
export interface Sources {
  /** A GET of the edge's REST API as the caller; a refusal is thrown as its AppError. */
  get(path: string, query?: Query): Promise<Record<string, unknown>>;
  /** A product by sku (batched; undefined when there is none). */
  product(sku: string): Promise<Record<string, unknown> | undefined>;
  /** A sku in each warehouse the caller may read, or in the one named (403 outside the scope). */
  availability(sku: string, warehouseId?: string | null): Promise<AvailabilityEntry[]>;
  /** A warehouse's id and code. */
  warehouse(id: string): Promise<{ id: string; code: string } | undefined>;
}

type Json = Record<string, unknown>;
type Resolver<A = Json> = (source: Json, args: A, sources: Sources) => unknown;

const nonNull = <T extends GraphQLOutputType>(t: T) => new GraphQLNonNull(t);
const listOf = <T extends GraphQLOutputType>(t: T) => nonNull(new GraphQLList(nonNull(t)));
const str = { type: GraphQLString };
const reqStr = { type: nonNull(GraphQLString) };
const reqId = { type: nonNull(GraphQLID) };
const reqInt = { type: nonNull(GraphQLInt) };

/** Largest page a list field gives (REST's own maximum), and its default. */
export const MAX_PAGE = 200;
const pageArgs = {
  first: { type: GraphQLInt, defaultValue: 50, description: `Items in the page, 1..${MAX_PAGE}.` },
  after: { type: GraphQLString, description: 'endCursor (REST nextCursor) of the previous page.' },
} satisfies GraphQLFieldConfigArgumentMap;

const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value, as the REST API answers it.',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});

const Money = new GraphQLObjectType({
  name: 'Money',
  description: 'Integer minor units and an ISO 4217 currency.',
  fields: { amount: reqInt, currency: reqStr },
});

const WarehouseAvailability = new GraphQLObjectType({
  name: 'WarehouseAvailability',
  description: "A sku in one warehouse, from that warehouse's room (live counters).",
  fields: {
    warehouseId: reqId,
    code: reqStr,
    onHand: reqInt,
    reserved: reqInt,
    available: reqInt,
    version: reqInt,
    onOrder: { type: GraphQLInt, description: 'On submitted purchase orders, not yet received.' },
    nextExpectedAt: str,
  },
});

const Availability = new GraphQLObjectType({
  name: 'Availability',
  description: 'What can be sold of a sku in the warehouses the caller may read.',
  fields: {
    sku: reqStr,
    warehouses: { type: listOf(WarehouseAvailability) },
    available: reqInt,
    onOrder: reqInt,
  },
});

const warehouseArg = {
  warehouseId: { type: GraphQLID, description: 'Only this warehouse (an error outside your scope).' },
};

/** Availability of a sku, summed over the warehouses listed. */
async function availabilityOf(sources: Sources, sku: string, warehouseId?: string | null) {
  const warehouses = await sources.availability(sku, warehouseId);
  return {
    sku,
    warehouses,
    available: warehouses.reduce((n, w) => n + w.available, 0),
    onOrder: warehouses.reduce((n, w) => n + (w.onOrder ?? 0), 0),
  };
}

const Product = new GraphQLObjectType({
  name: 'Product',
  description: 'A catalog product, as GET /api/products/{sku} answers it (cost for admins and managers).',
  fields: {
    id: reqId,
    sku: reqStr,
    name: reqStr,
    description: str,
    barcode: str,
    category: str,
    unit: reqStr,
    price: { type: Money },
    cost: { type: Money, description: 'Null unless you may see cost prices.' },
    attributes: { type: nonNull(JsonScalar) },
    archived: { type: nonNull(GraphQLBoolean) },
    version: reqInt,
    createdAt: reqStr,
    updatedAt: reqStr,
    availability: {
      type: Availability,
      args: warehouseArg,
      resolve: ((p, a: { warehouseId?: string | null }, s) =>
        availabilityOf(s, String(p.sku), a.warehouseId)) as Resolver,
    },
  },
});

/** A line's `product`: the catalog entry of its sku, batched and cached (null if archived away). */
const lineProduct = {
  type: Product,
  resolve: ((line, _a, s) => s.product(String(line.sku))) as Resolver,
};

/** The page type of each item type (one per name: a schema holds each type once). */
const pages = new Map<string, GraphQLObjectType>();

/** A list page type: `items` and the cursor of the next page (null on the last). */
function pageOf(item: GraphQLObjectType): GraphQLObjectType {
  const known = pages.get(item.name);
  if (known) return known;
  const page = new GraphQLObjectType({
    name: `${item.name}Page`,
    fields: {
      items: { type: listOf(item) },
      endCursor: {
        type: GraphQLString,
        description: 'Pass as `after` for the next page; null on the last.',
        resolve: (p: Json) => p.nextCursor ?? null,
      },
    },
  });
  pages.set(item.name, page);
  return page;
}

type PageArgs = { first: number; after?: string | null } & Record<string, unknown>;

/**
 * A list field over a REST collection: `first`/`after` become `limit`/`cursor`, filters pass as
 * is, and `fromParent` adds what the parent object fixes (a warehouse's orders).
 */
function listField(
  item: GraphQLObjectType,
  path: string,
  filters: GraphQLFieldConfigArgumentMap,
  fromParent: (parent: Json) => Query = () => ({}),
) {
  // Nullable, as every field that reads is: one refusal nulls that field, not the whole answer.
  return {
    type: pageOf(item),
    args: { ...pageArgs, ...filters },
    resolve: ((parent, { first, after, ...rest }: PageArgs, s) =>
      s.get(path, {
        limit: first,
        cursor: after,
        ...rest,
        ...fromParent(parent),
      } as Query)) as Resolver<PageArgs>,
  };
}

const statusArg = { status: str };
const skusArg = { skus: { type: listOf(GraphQLString), description: 'At most 200.' } };

/** A warehouse named by an id field of its parent (null if it is not in the directory). */
const warehouseLink = (idField: string) => ({
  type: Warehouse,
  resolve: ((parent, _a, s) => s.warehouse(String(parent[idField]))) as Resolver,
});

const Warehouse: GraphQLObjectType = new GraphQLObjectType({
  name: 'Warehouse',
  description:
    'A warehouse. Reached through a link (an allocation, a transfer, a purchase order) it has its id and code; `warehouses` gives name and timezone too. Its lists are the REST lists filtered to it, so they hold what you may read there.',
  fields: () => ({
    id: reqId,
    code: reqStr,
    name: str,
    timezone: str,
    availability: {
      type: new GraphQLList(nonNull(Availability)),
      args: skusArg,
      resolve: ((w, a: { skus: string[] }, s) =>
        Promise.all(a.skus.map((sku) => availabilityOf(s, sku, String(w.id))))) as Resolver<{
        skus: string[];
      }>,
    },
    orders: listField(Order, '/api/orders', statusArg, (w) => ({ warehouseId: String(w.id) })),
    transfers: listField(Transfer, '/api/transfers', statusArg, (w) => ({ warehouseId: String(w.id) })),
    purchaseOrders: listField(
      PurchaseOrder,
      '/api/purchase-orders',
      { ...statusArg, vendorId: { type: GraphQLID } },
      (w) => ({
        warehouseId: String(w.id),
      }),
    ),
  }),
});

const OrderLine = new GraphQLObjectType({
  name: 'OrderLine',
  fields: {
    sku: reqStr,
    qty: reqInt,
    requestedQty: reqInt,
    unitPrice: { type: Money },
    allocated: reqInt,
    backordered: reqInt,
    shipped: reqInt,
    product: lineProduct,
  },
});

const Allocation = new GraphQLObjectType({
  name: 'Allocation',
  fields: {
    sku: reqStr,
    warehouseId: reqId,
    warehouse: warehouseLink('warehouseId'),
    qty: reqInt,
    shipped: reqInt,
  },
});

const Order = new GraphQLObjectType({
  name: 'Order',
  description: 'An order, as GET /api/orders/{id} answers it.',
  fields: {
    id: reqId,
    status: reqStr,
    warehouseId: { type: GraphQLID },
    lines: { type: listOf(OrderLine) },
    allocations: { type: listOf(Allocation) },
    allowPartial: { type: nonNull(GraphQLBoolean) },
    allowBackorder: { type: nonNull(GraphQLBoolean) },
    externalRef: str,
    channel: str,
    customer: { type: JsonScalar },
    reservationExpiresAt: str,
    cancelReason: str,
    ownerKind: str,
    ownerId: { type: GraphQLID },
    version: reqInt,
    createdAt: reqStr,
    updatedAt: reqStr,
  },
});

const TransferLine = new GraphQLObjectType({
  name: 'TransferLine',
  fields: { sku: reqStr, qty: reqInt, received: reqInt, inTransit: reqInt, product: lineProduct },
});

const Transfer = new GraphQLObjectType({
  name: 'Transfer',
  description: 'A transfer between warehouses, as GET /api/transfers/{id} answers it.',
  fields: {
    id: reqId,
    fromWarehouseId: reqId,
    fromWarehouse: warehouseLink('fromWarehouseId'),
    toWarehouseId: reqId,
    toWarehouse: warehouseLink('toWarehouseId'),
    status: reqStr,
    lines: { type: listOf(TransferLine) },
    note: str,
    version: reqInt,
    createdAt: reqStr,
    updatedAt: reqStr,
    shippedAt: str,
    receivedAt: str,
    expiresAt: str,
    cancelReason: str,
  },
});

const PurchaseOrderLine = new GraphQLObjectType({
  name: 'PurchaseOrderLine',
  fields: {
    sku: reqStr,
    qty: reqInt,
    received: reqInt,
    unitCost: { type: GraphQLInt, description: "Minor units of the order's currency." },
    product: lineProduct,
  },
});

const PurchaseOrder = new GraphQLObjectType({
  name: 'PurchaseOrder',
  description: 'A purchase order, as GET /api/purchase-orders/{id} answers it.',
  fields: {
    id: reqId,
    status: reqStr,
    vendorId: reqId,
    warehouseId: reqId,
    warehouse: warehouseLink('warehouseId'),
    currency: reqStr,
    receiveTolerancePct: reqInt,
    expectedAt: str,
    origin: reqStr,
    note: str,
    lines: { type: listOf(PurchaseOrderLine) },
    version: reqInt,
    createdAt: reqStr,
    updatedAt: reqStr,
    submittedAt: str,
    closedAt: str,
  },
});

/** One object by id from a REST collection: null with an error when it is not yours or not there. */
function byIdField(item: GraphQLObjectType, collection: string) {
  return {
    type: item,
    args: { id: reqId },
    // REST's refusal (403, or 404 for what is not yours) becomes the field's error.
    resolve: ((_root, { id }: { id: string }, s) =>
      s.get(`${collection}/${encodeURIComponent(id)}`)) as Resolver<{ id: string }>,
  };
}

const QueryType = new GraphQLObjectType({
  name: 'Query',
  description:
    'Read-only. Same credentials, roles and warehouse scopes as the REST API: each field reads what its REST endpoint would give you.',
  fields: {
    warehouses: listField(Warehouse, '/api/warehouses', {}),
    product: {
      type: Product,
      args: { sku: reqStr },
      resolve: ((_r, { sku }: { sku: string }, s) => s.product(sku)) as Resolver<{ sku: string }>,
    },
    products: listField(Product, '/api/products', {
      q: { type: GraphQLString, description: 'sku, name or barcode; prefix and fuzzy' },
      category: str,
    }),
    availability: {
      type: new GraphQLList(nonNull(Availability)),
      description: 'Availability of these skus (at most 200), batched: one read per warehouse room.',
      args: { ...skusArg, ...warehouseArg },
      resolve: ((_r, a: { skus: string[]; warehouseId?: string | null }, s) =>
        Promise.all(a.skus.map((sku) => availabilityOf(s, sku, a.warehouseId)))) as Resolver<{
        skus: string[];
        warehouseId?: string | null;
      }>,
    },
    order: byIdField(Order, '/api/orders'),
    orders: listField(Order, '/api/orders', { ...statusArg, warehouseId: { type: GraphQLID } }),
    transfer: byIdField(Transfer, '/api/transfers'),
    transfers: listField(Transfer, '/api/transfers', {
      ...statusArg,
      warehouseId: { type: GraphQLID },
    }),
    purchaseOrder: byIdField(PurchaseOrder, '/api/purchase-orders'),
    purchaseOrders: listField(PurchaseOrder, '/api/purchase-orders', {
      ...statusArg,
      vendorId: { type: GraphQLID },
      warehouseId: { type: GraphQLID },
    }),
    analyticsSummary: {
      type: JsonScalar,
      description:
        'GET /api/analytics/summary as core answers it (units sold, revenue, inventory value, turnover, days of cover, stockouts, low-stock count).',
      args: { from: str, to: str, warehouseId: { type: GraphQLID } },
      resolve: ((_r, a: Query, s) => s.get('/api/analytics/summary', a)) as Resolver<Query>,
    },
  },
});

export const graphqlSchema = new GraphQLSchema({ query: QueryType });
