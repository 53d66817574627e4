/**
 * Depth and cost limits, checked on a valid document before anything is read. Every field costs
 * 1, and what is below a list costs once per item it may hold: a page field by its `first`, the
 * availability field by its number of skus, any other list (an order's lines, a product's
 * warehouses) by LIST_ITEMS_ASSUMED. Introspection (`__schema`, `__type`) is free: it reads nothing.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { MAX_PAGE } from './schema.ts';

export const MAX_DEPTH = 8;
export const MAX_COST = 10_000;
/** What a list without a size argument is assumed to hold. */
export const LIST_ITEMS_ASSUMED = 10;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  depth: number;
  /** Sizes out of range, found on the way. */
  errors: GraphQLError[];
}

const isList = (t: GraphQLOutputType): boolean =>
  t instanceof GraphQLNonNull ? isList(t.ofType) : t instanceof GraphQLList;

/** The value of an integer (or list) argument as sent, from a literal or a variable. */
function argumentValue(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.LIST) return node.values;
  return undefined;
}

/** How many items a field's list may hold, going by its arguments (refusing sizes out of range). */
function itemsOf(field: FieldNode, def: GraphQLField<unknown, unknown>, w: Walk, pageItems: boolean) {
  const arg = (name: string) => {
    const node = field.arguments?.find((a) => a.name.value === name)?.value;
    const given = argumentValue(node, w.variables);
    return given ?? def.args.find((a) => a.name === name)?.defaultValue;
  };
  const refuse = (argument: string, message: string) =>
    w.errors.push(
      new GraphQLError(message, {
        nodes: field,
        extensions: { code: 'BAD_USER_INPUT', argument, status: 400 },
      }),
    );
  const first = arg('first');
  if (typeof first === 'number') {
    if (first < 1 || first > MAX_PAGE) refuse('first', `\`first\` is ${first}; give 1 to ${MAX_PAGE}.`);
    return first;
  }
  const skus = arg('skus');
  if (Array.isArray(skus)) {
    if (skus.length > MAX_PAGE) refuse('skus', `${skus.length} skus asked for; at most ${MAX_PAGE} at once.`);
    return skus.length;
  }
  // A page's items were counted by the page's `first`.
  if (pageItems) return 1;
  return isList(def.type) ? LIST_ITEMS_ASSUMED : 1;
}

/** The cost of a selection set on this type, and the deepest field depth reached below it. */
function walk(
  set: SelectionSetNode,
  typeName: string,
  w: Walk,
  seen: Set<string>,
): { cost: number; depth: number } {
  const type = w.schema.getType(typeName);
  let cost = 0;
  let depth = w.depth;
  for (const selection of set.selections) {
    let inner: { cost: number; depth: number } = { cost: 0, depth: w.depth };
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = walk(selection.selectionSet, selection.typeCondition?.name.value ?? typeName, w, seen);
    } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = w.fragments.get(selection.name.value);
      if (fragment && !seen.has(fragment.name.value)) {
        const deeper = new Set(seen).add(fragment.name.value);
        inner = walk(fragment.selectionSet, fragment.typeCondition.name.value, w, deeper);
      }
    } else {
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      const def = isObjectType(type) ? type.getFields()[name] : undefined;
      if (!def) continue;
      const below = selection.selectionSet
        ? walk(selection.selectionSet, getNamedType(def.type).name, { ...w, depth: w.depth + 1 }, seen)
        : { cost: 0, depth: w.depth + 1 };
      inner = {
        cost: 1 + itemsOf(selection, def, w, typeName.endsWith('Page') && name === 'items') * below.cost,
        depth: below.depth,
      };
    }
    cost += inner.cost;
    depth = Math.max(depth, inner.depth);
  }
  return { cost, depth };
}

/** The operation's cost and depth, or the errors that refuse it. */
export function checkLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): { cost: number; depth: number; errors: GraphQLError[] } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const root = schema.getQueryType()?.name ?? 'Query';
  const errors: GraphQLError[] = [];
  const w = { schema, fragments, variables, depth: 0, errors };
  const { cost, depth } = walk(operation.selectionSet, root, w, new Set());
  if (depth > MAX_DEPTH)
    errors.push(
      new GraphQLError(`The query is ${depth} fields deep; at most ${MAX_DEPTH} are allowed.`, {
        nodes: operation,
        extensions: { code: 'QUERY_TOO_DEEP', status: 400, depth, maxDepth: MAX_DEPTH },
      }),
    );
  if (cost > MAX_COST)
    errors.push(
      new GraphQLError(
        `The query could cost ${cost} (lists count once per item their \`first\` allows); the budget is ${MAX_COST}. Ask for smaller pages or fewer fields.`,
        { nodes: operation, extensions: { code: 'QUERY_TOO_COSTLY', status: 400, cost, maxCost: MAX_COST } },
      ),
    );
  return { cost, depth, errors };
}
