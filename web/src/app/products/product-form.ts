/**
 * The product form's values as the person typed them (strings), and the API bodies made from
 * them: a create body, or an update with only what changed. Prices are typed in major units
 * ("12.99") and sent in minor units, as the API keeps money. When a save meets a newer version
 * (412), `conflicts` says which fields someone else changed and what each side holds. Plain
 * functions, tested with bun:test.
 */
import type { components } from '@varastokkr/client';

export type Product = components['schemas']['Product'];
export type CreateProduct = components['schemas']['CreateProduct'];
export type UpdateProduct = components['schemas']['UpdateProduct'];
type Money = components['schemas']['Money'];

export interface ProductDraft {
  sku: string;
  name: string;
  description: string;
  barcode: string;
  category: string;
  unit: string;
  price: string;
  cost: string;
  currency: string;
  attributes: string;
}

/** The fields a person edits, in the form's order, with their labels. */
export const DRAFT_FIELDS = [
  ['name', 'Name'],
  ['description', 'Description'],
  ['barcode', 'Barcode'],
  ['category', 'Category'],
  ['unit', 'Unit'],
  ['price', 'Price'],
  ['cost', 'Cost'],
  ['currency', 'Currency'],
  ['attributes', 'Attributes (JSON)'],
] as const satisfies readonly (readonly [keyof ProductDraft, string])[];

export const emptyDraft = (): ProductDraft => ({
  sku: '',
  name: '',
  description: '',
  barcode: '',
  category: '',
  unit: 'each',
  price: '',
  cost: '',
  currency: 'EUR',
  attributes: '{}',
});

/** Minor units as "12.99" (two decimals, as for EUR and most currencies the seed uses). */
export const majorUnits = (money: Money | undefined): string =>
  money ? (money.amount / 100).toFixed(2) : '';

export function draftFromProduct(product: Product): ProductDraft {
  return {
    sku: product.sku,
    name: product.name,
    description: product.description ?? '',
    barcode: product.barcode ?? '',
    category: product.category ?? '',
    unit: product.unit,
    price: majorUnits(product.price),
    cost: majorUnits(product.cost ?? undefined),
    currency: product.price?.currency ?? product.cost?.currency ?? 'EUR',
    attributes: JSON.stringify(product.attributes ?? {}, null, 1),
  };
}

/** A draft the form could not turn into a body: per field path, why (shown beside the field). */
export class DraftError extends Error {
  constructor(readonly fields: Record<string, string>) {
    super(Object.values(fields).join('; '));
  }
}

const orNull = (text: string) => (text.trim() === '' ? null : text.trim());

function money(text: string, currency: string, path: string, errors: Record<string, string>): Money | null {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return null;
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) {
    errors[path] = 'A number of at most two decimals, such as 12.99';
    return null;
  }
  return { amount: Math.round(Number(trimmed) * 100), currency: currency.trim().toUpperCase() };
}

function attributes(text: string, errors: Record<string, string>): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  errors.attributes = 'A JSON object, such as {"size": "M"}';
  return {};
}

/** Every editable field as the API takes it; a value the form cannot read throws DraftError. */
function fields(draft: ProductDraft, withCost: boolean) {
  const errors: Record<string, string> = {};
  const body = {
    name: draft.name.trim(),
    description: orNull(draft.description),
    barcode: orNull(draft.barcode),
    category: orNull(draft.category),
    unit: draft.unit.trim() || 'each',
    price: money(draft.price, draft.currency, 'price.amount', errors),
    ...(withCost ? { cost: money(draft.cost, draft.currency, 'cost.amount', errors) } : {}),
    attributes: attributes(draft.attributes, errors),
  };
  if (Object.keys(errors).length > 0) throw new DraftError(errors);
  return body;
}

/** POST /api/products's body. An empty name is sent as it is: the API names the field. */
export function createBody(draft: ProductDraft, withCost: boolean): CreateProduct {
  return { sku: draft.sku.trim(), ...fields(draft, withCost) };
}

/** PATCH's body: only the fields that differ from the product as read (empty when nothing did). */
export function changesFrom(product: Product, draft: ProductDraft, withCost: boolean): UpdateProduct {
  const before = fields(draftFromProduct(product), withCost);
  const after = fields(draft, withCost);
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof typeof after)[])
    if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) changed[key] = after[key];
  return changed as UpdateProduct;
}

export interface FieldConflict {
  field: keyof ProductDraft;
  label: string;
  /** What the person typed. */
  mine: string;
  /** What the product holds now (changed by someone else). */
  theirs: string;
  /** Whether the person changed this field too (else saving keeps theirs). */
  mineChanged: boolean;
}

/**
 * The fields someone else changed since `base` was read, with both values: those the person
 * also changed are real conflicts (saving theirs over them needs a decision); the rest are
 * shown so nothing changes unseen, and a save keeps them (it sends only the person's changes).
 */
export function conflicts(base: Product, theirs: Product, mine: ProductDraft): FieldConflict[] {
  const before = draftFromProduct(base);
  const now = draftFromProduct(theirs);
  return DRAFT_FIELDS.filter(([field]) => now[field] !== before[field]).map(([field, label]) => ({
    field,
    label,
    mine: mine[field],
    theirs: now[field],
    mineChanged: mine[field] !== before[field],
  }));
}
