/**
 * Whole examples for an OpenAPI document's request bodies, responses and parameters, put
 * together from the examples written next to each field (zod `.openapi({ example })`), so an
 * example cannot drift from the fields it shows. A required field with nothing to show it by
 * is an error naming the field: every operation's examples are complete and valid.
 */
import { exampleIds, exampleTime } from './openapi.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonSchema = { [key: string]: unknown };
type Document = { components?: { schemas?: Record<string, JsonSchema> } } & Record<string, unknown>;

const byFormat: Record<string, string> = {
  uuid: exampleIds.warehouse,
  'date-time': exampleTime,
  email: 'clerk@example.com',
  uri: 'https://example.com',
};

class MissingExample extends Error {}

/** An example for `schema`: its own, else one put together from its parts. */
function exampleOf(schema: JsonSchema, doc: Document, at: string): Json {
  // Compared with undefined, not `in`: the generator leaves keys set to undefined.
  if (schema.example !== undefined) return schema.example as Json;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0] as Json;
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new MissingExample(`${at}: ${schema.$ref} is not in components.schemas`);
    return exampleOf(target, doc, name);
  }
  if (schema.const !== undefined) return schema.const as Json;
  if (Array.isArray(schema.enum)) return schema.enum[0] as Json;
  if (schema.default !== undefined) return schema.default as Json;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key] as JsonSchema[] | undefined;
    if (branches) return exampleOf(branches.find((b) => b.type !== 'null') ?? {}, doc, at);
  }
  if (Array.isArray(schema.allOf))
    return Object.assign({}, ...schema.allOf.map((part) => exampleOf(part as JsonSchema, doc, at)));
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((t) => t !== 'null');
  if (type === 'object' || schema.properties) return objectExample(schema, doc, at);
  if (type === 'array') {
    const item = exampleOf((schema.items as JsonSchema) ?? {}, doc, `${at}[]`);
    return Array.from({ length: Math.max(1, Number(schema.minItems ?? 1)) }, () => item);
  }
  if (type === 'string' && typeof schema.format === 'string' && byFormat[schema.format])
    return byFormat[schema.format] as string;
  if (type === 'integer' || type === 'number') return Math.max(Number(schema.minimum ?? 1), 1);
  if (type === 'boolean') return false;
  throw new MissingExample(`${at}: no example (add .openapi({ example }) to the field)`);
}

function objectExample(schema: JsonSchema, doc: Document, at: string): Json {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const example: Record<string, Json> = {};
  for (const [name, property] of Object.entries(properties)) {
    try {
      example[name] = exampleOf(property, doc, `${at}.${name}`);
    } catch (err) {
      // An optional field without an example is left out of the example, not made up.
      if (required.has(name) || !(err instanceof MissingExample)) throw err;
    }
  }
  return example;
}

type MediaType = { schema?: JsonSchema; example?: unknown };
type Operation = {
  operationId?: string;
  parameters?: { name: string; required?: boolean; schema?: JsonSchema; example?: unknown }[];
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { content?: Record<string, MediaType> }>;
};

/** Fills every missing media-type and parameter example of `doc` in place; returns `doc`. */
export function withExamples<D extends Document>(doc: D): D {
  const missing: string[] = [];
  const fill = (target: { example?: unknown }, schema: JsonSchema, at: string, required = true) => {
    try {
      target.example = exampleOf(schema, doc, at);
    } catch (err) {
      if (!(err instanceof MissingExample)) throw err;
      // An optional parameter without an example is shown without one, not made up.
      if (required) missing.push(err.message);
    }
  };
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      const at = `${method.toUpperCase()} ${path}`;
      for (const p of op.parameters ?? []) {
        if (p.example === undefined && p.schema) fill(p, p.schema, `${at} ${p.name}`, p.required === true);
      }
      const contents = [
        ['request body', op.requestBody?.content],
        ...Object.entries(op.responses ?? {}).map(([status, r]) => [status, r.content] as const),
      ] as const;
      for (const [what, content] of contents) {
        for (const [type, media] of Object.entries(content ?? {})) {
          if (media.example === undefined && media.schema) fill(media, media.schema, `${at} ${what} ${type}`);
        }
      }
    }
  }
  if (missing.length > 0) throw new Error(`Examples missing:\n${[...new Set(missing)].join('\n')}`);
  return doc;
}
