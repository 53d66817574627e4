/**
 * The changes between two versions of an OpenAPI document that break a client written against
 * the first: what it calls is gone, what it reads is gone or changed, or what it sends is no
 * longer enough or no longer accepted. Each change has a stable id (kind, operation, where) that
 * openapi-breaking-allowed.json can name, with a reason, to let it through.
 */
type Schema = { [key: string]: unknown };
type Doc = {
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, Schema> };
};
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Media = { schema?: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, Media> };
  responses?: Record<string, { content?: Record<string, Media> }>;
  security?: unknown[];
};

export interface BreakingChange {
  /** `kind METHOD /path where`: what the allowlist names. */
  id: string;
  kind: string;
  message: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];
/** How deep schemas are compared: documents here nest a few levels; references may cycle. */
const MAX_DEPTH = 12;

/** Every breaking change from `before` to `after`, in document order. */
export function breakingChanges(before: Doc, after: Doc): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const add = (kind: string, where: string, message: string) =>
    changes.push({ id: `${kind} ${where}`, kind, message: `${where}: ${message}` });
  const cmp = { before, after, add };
  for (const [path, item] of Object.entries(before.paths ?? {})) {
    for (const method of METHODS.filter((m) => m in item)) {
      const op = `${method.toUpperCase()} ${path}`;
      const was = item[method] as Operation;
      const now = after.paths?.[path]?.[method] as Operation | undefined;
      if (!now) {
        add('removed-operation', op, 'the operation is gone');
        continue;
      }
      compareOperation(cmp, op, was, now);
    }
  }
  return changes;
}

interface Comparison {
  before: Doc;
  after: Doc;
  add(kind: string, where: string, message: string): void;
}

function compareOperation(cmp: Comparison, op: string, was: Operation, now: Operation) {
  if (Array.isArray(was.security) && was.security.length === 0 && (now.security?.length ?? 0) > 0)
    cmp.add('new-security', op, 'a public operation now needs credentials');
  const key = (p: Parameter) => `${p.in}:${p.name}`;
  const oldParams = new Map((was.parameters ?? []).map((p) => [key(p), p]));
  for (const p of now.parameters ?? []) {
    const old = oldParams.get(key(p));
    const where = `${op} ${p.in} ${p.name}`;
    if (p.required && !old?.required) cmp.add('new-required-parameter', where, 'a parameter is now required');
    if (old?.schema && p.schema) compareInput(cmp, where, old.schema, p.schema, 0);
  }
  const oldBody = was.requestBody;
  const newBody = now.requestBody;
  if (newBody?.required && !oldBody?.required)
    cmp.add('new-required-body', op, 'a request body is now required');
  for (const [type, media] of Object.entries(oldBody?.content ?? {})) {
    const next = newBody?.content?.[type];
    if (!next)
      cmp.add('removed-request-media-type', `${op} ${type}`, 'this request body type is refused now');
    else if (media.schema && next.schema) compareInput(cmp, `${op} body`, media.schema, next.schema, 0);
  }
  for (const [status, response] of Object.entries(was.responses ?? {})) {
    const next = now.responses?.[status];
    if (!next) {
      cmp.add('removed-response', `${op} ${status}`, 'this response status is gone');
      continue;
    }
    for (const [type, media] of Object.entries(response.content ?? {})) {
      const nextMedia = next.content?.[type];
      if (!nextMedia)
        cmp.add('removed-response-media-type', `${op} ${status} ${type}`, 'this body type is gone');
      else if (media.schema && nextMedia.schema)
        compareOutput(cmp, `${op} ${status}`, media.schema, nextMedia.schema, 0);
    }
  }
}

/** A response schema: everything a client read must still be there, of the same type. */
function compareOutput(cmp: Comparison, at: string, was: Schema, now: Schema, depth: number) {
  if (depth > MAX_DEPTH) return;
  const [a, b] = [resolve(cmp.before, was), resolve(cmp.after, now)];
  const [typesA, typesB] = [typesOf(cmp.before, a), typesOf(cmp.after, b)];
  const added = [...typesB].filter((t) => !typesA.has(t));
  if (typesA.size > 0 && typesB.size > 0 && added.length > 0)
    cmp.add('retyped-response-property', at, `the type was ${[...typesA]}, now ${[...typesB]}`);
  const [enumA, enumB] = [enumOf(cmp.before, a), enumOf(cmp.after, b)];
  if (enumA && enumB) {
    const extra = enumB.filter((v) => !enumA.includes(v));
    if (extra.length > 0) cmp.add('widened-response-enum', at, `new values ${JSON.stringify(extra)}`);
  }
  const [propsA, propsB] = [propertiesOf(cmp.before, a), propertiesOf(cmp.after, b)];
  for (const [name, prop] of Object.entries(propsA.properties)) {
    const where = `${at} .${name}`;
    const next = propsB.properties[name];
    if (!next) cmp.add('removed-response-property', where, 'the property is gone');
    else {
      if (propsA.required.has(name) && !propsB.required.has(name))
        cmp.add('optional-response-property', where, 'the property may now be missing');
      compareOutput(cmp, where, prop, next, depth + 1);
    }
  }
  const [itemsA, itemsB] = [itemsOf(cmp.before, a), itemsOf(cmp.after, b)];
  if (itemsA && itemsB) compareOutput(cmp, `${at}[]`, itemsA, itemsB, depth + 1);
}

/** A request schema: everything a client sent before must still be accepted, and be enough. */
function compareInput(cmp: Comparison, at: string, was: Schema, now: Schema, depth: number) {
  if (depth > MAX_DEPTH) return;
  const [a, b] = [resolve(cmp.before, was), resolve(cmp.after, now)];
  const [typesA, typesB] = [typesOf(cmp.before, a), typesOf(cmp.after, b)];
  const dropped = [...typesA].filter((t) => !typesB.has(t) && !(t === 'integer' && typesB.has('number')));
  if (typesA.size > 0 && typesB.size > 0 && dropped.length > 0)
    cmp.add('retyped-request-property', at, `the type was ${[...typesA]}, now ${[...typesB]}`);
  const [enumA, enumB] = [enumOf(cmp.before, a), enumOf(cmp.after, b)];
  if (enumB) {
    const refused = (enumA ?? []).filter((v) => !enumB.includes(v));
    if (!enumA && typesA.size > 0) cmp.add('narrowed-request-enum', at, `only ${JSON.stringify(enumB)} now`);
    else if (refused.length > 0)
      cmp.add('narrowed-request-enum', at, `${JSON.stringify(refused)} refused now`);
  }
  const [propsA, propsB] = [propertiesOf(cmp.before, a), propertiesOf(cmp.after, b)];
  for (const name of propsB.required) {
    if (!propsA.required.has(name))
      cmp.add('new-required-request-property', `${at} .${name}`, 'the property is now required');
  }
  for (const [name, prop] of Object.entries(propsA.properties)) {
    const next = propsB.properties[name];
    if (next) compareInput(cmp, `${at} .${name}`, prop, next, depth + 1);
    else if (propsB.closed)
      cmp.add('removed-request-property', `${at} .${name}`, 'the property is refused now');
  }
  const [itemsA, itemsB] = [itemsOf(cmp.before, a), itemsOf(cmp.after, b)];
  if (itemsA && itemsB) compareInput(cmp, `${at}[]`, itemsA, itemsB, depth + 1);
}

function resolve(doc: Doc, schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < MAX_DEPTH && typeof s.$ref === 'string'; i++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    s = doc.components?.schemas?.[name] ?? {};
  }
  return s;
}

/** The branches a value may take: itself, or each of its anyOf/oneOf alternatives. */
function branchesOf(doc: Doc, schema: Schema): Schema[] {
  const s = resolve(doc, schema);
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  return alternatives ? alternatives.flatMap((b) => branchesOf(doc, b)) : [s];
}

function typesOf(doc: Doc, schema: Schema): Set<string> {
  const types = new Set<string>();
  for (const b of branchesOf(doc, schema)) {
    const t = b.type ?? (b.const === null ? 'null' : undefined);
    for (const one of Array.isArray(t) ? t : t ? [t] : []) types.add(String(one));
    if (Array.isArray(b.allOf) || b.properties) types.add('object');
  }
  return types;
}

function enumOf(doc: Doc, schema: Schema): unknown[] | undefined {
  const values: unknown[] = [];
  for (const b of branchesOf(doc, schema)) {
    if (Array.isArray(b.enum)) values.push(...b.enum);
    else if (b.const !== undefined) values.push(b.const);
    else if (b.type !== 'null') return undefined;
  }
  return values.length > 0 ? values : undefined;
}

/** The object's properties over its allOf parts and object branches. */
function propertiesOf(doc: Doc, schema: Schema) {
  const properties: Record<string, Schema> = {};
  const required = new Set<string>();
  let closed = false;
  const visit = (node: Schema, depth: number) => {
    if (depth > MAX_DEPTH) return;
    for (const b of branchesOf(doc, node)) {
      Object.assign(properties, b.properties ?? {});
      for (const r of (b.required as string[] | undefined) ?? []) required.add(r);
      if (b.additionalProperties === false) closed = true;
      for (const part of (b.allOf as Schema[] | undefined) ?? []) visit(part, depth + 1);
    }
  };
  visit(schema, 0);
  return { properties, required, closed };
}

function itemsOf(doc: Doc, schema: Schema): Schema | undefined {
  return branchesOf(doc, schema).find((b) => b.items)?.items as Schema | undefined;
}
