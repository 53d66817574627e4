/**
 * The public document put together from the edge's and core's documents: pure, so that
 * `bun run openapi` (scripts/openapi.ts) builds exactly what the edge serves without a stack.
 */
import { apiInfo, apiServers, apiTags } from '../core/platform/openapi.ts';
import { withExamples } from '../core/platform/openapi-examples.ts';

export type OpenApiDoc = {
  paths?: Record<string, unknown>;
  components?: { schemas?: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  tags?: { name: string }[];
} & Record<string, unknown>;

/** What the edge's own routes are documented with (edge.getOpenAPI31Document's argument). */
export const edgeDocumentConfig = {
  openapi: '3.1.0',
  info: apiInfo,
  servers: apiServers,
  tags: apiTags,
} as const;

// Paths each core process documents for itself that the edge answers instead.
const coreOnlyPaths = ['/healthz', '/readyz', '/metrics', '/openapi.json'];

/**
 * The edge's document over the core documents: paths and components by name, in sorted order
 * (however the services are split, the document is the same), without the components no path
 * uses any more (core's own /healthz schema), and with whole examples for every operation.
 */
export function mergeOpenApi(edgeDoc: OpenApiDoc, coreDocs: OpenApiDoc[]): OpenApiDoc {
  const paths: Record<string, unknown> = {};
  const components: Record<string, Record<string, unknown>> = {};
  const left: unknown[] = [];
  for (const doc of [...coreDocs, edgeDoc]) {
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      if (doc !== edgeDoc && coreOnlyPaths.includes(path)) left.push(item);
      else paths[path] = item;
    }
    // Every kind of component (schemas, securitySchemes, ...), merged by name.
    for (const [kind, entries] of Object.entries(doc.components ?? {})) {
      components[kind] = { ...components[kind], ...(entries as Record<string, unknown>) };
    }
  }
  // A security scheme only the left-out paths use (core's metricsToken) goes with them.
  const kept = securityNames(paths);
  for (const name of securityNames(left)) if (!kept.has(name)) delete components.securitySchemes?.[name];
  const sortedPaths = sortedByKey(paths);
  const used = referencedSchemas(sortedPaths, components.schemas ?? {});
  const schemas = Object.entries(components.schemas ?? {}).filter(([name]) => used.has(name));
  const merged: OpenApiDoc = structuredClone({
    ...edgeDoc,
    paths: sortedPaths,
    components: sortedByKey({
      ...Object.fromEntries(Object.entries(components).filter(([, v]) => Object.keys(v).length > 0)),
      schemas: sortedByKey(Object.fromEntries(schemas)),
    }),
  });
  return withExamples(merged);
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The security scheme names the operations under `root` ask for. */
function securityNames(root: unknown): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        if (key === 'security' && Array.isArray(value))
          for (const requirement of value) for (const name of Object.keys(requirement ?? {})) found.add(name);
        else visit(value);
      }
  };
  visit(root);
  return found;
}

/** The schema names `root` refers to, directly or through other schemas. */
function referencedSchemas(root: unknown, schemas: Record<string, unknown>): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
          const name = value.slice('#/components/schemas/'.length);
          if (!found.has(name)) {
            found.add(name);
            visit(schemas[name]);
          }
        } else visit(value);
      }
    }
  };
  visit(root);
  return found;
}
