/**
 * `bun run env:example`: writes .env.example from the configuration schemas, so every variable
 * is listed with its default and description and the file cannot drift from what the processes
 * parse (scripts/env-example.test.ts fails when it does). A variable's description is the
 * `/** ... *\/` comment above it in its schema (or its zod `.describe()`); a variable without
 * one stops the script, naming it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configSchema, productionSecrets } from '../core/platform/config.ts';
import type { ProductionSecret } from '../core/platform/env.ts';
import { edgeConfigSchema, edgeProductionSecrets } from '../edge/env-schema.ts';

const root = join(import.meta.dir, '..');
export const envExamplePath = join(root, '.env.example');

/** Defaults that depend on the machine or checkout: described, not written as a value. */
const variesByCheckout = new Set(['EMBEDDED_PG_PORT']);

interface Section {
  title: string[];
  schema: z.ZodObject;
  source: string;
  secrets: readonly ProductionSecret[];
  /** Values set outside the schema (wrangler.toml [vars]), shown as the default. */
  preset?: Record<string, string>;
}

/** Each `/** ... *\/` comment in a schema's source, by the UPPER_CASE property that follows it. */
function commentsByVariable(source: string): Map<string, string> {
  const found = new Map<string, string>();
  let pending: string[] | undefined;
  let open: string[] | undefined;
  for (const line of source.split('\n')) {
    const text = line.trim();
    if (open) {
      open.push(text.replace(/^\*\/?|\*\/$/g, '').trim());
      if (text.endsWith('*/')) [pending, open] = [open, undefined];
      continue;
    }
    if (text.startsWith('/**')) {
      const body = [text.replace(/^\/\*\*|\*\/$/g, '').trim()];
      if (text.endsWith('*/')) pending = body;
      else open = body;
      continue;
    }
    const property = /^\s*([A-Z][A-Z0-9_]*):/.exec(line);
    if (property?.[1] && pending) found.set(property[1], pending.filter(Boolean).join(' '));
    pending = undefined;
  }
  return found;
}

/** What values a variable takes, from its JSON Schema (input side). */
function accepted(schema: Record<string, unknown>): string | undefined {
  if (Array.isArray(schema.enum)) return `One of: ${schema.enum.join(', ')}.`;
  if (schema.format === 'uri') return 'A URL.';
  if (schema.format === 'email') return 'An email address.';
  if (schema.type === 'integer') {
    const min = (schema.minimum as number | undefined) ?? (schema.exclusiveMinimum === 0 ? 1 : undefined);
    const max = schema.maximum as number | undefined;
    const bounded = max !== undefined && max < Number.MAX_SAFE_INTEGER;
    if (min !== undefined && bounded) return `An integer from ${min} to ${max}.`;
    if (min !== undefined) return `An integer, at least ${min}.`;
    return 'An integer.';
  }
  if (typeof schema.minLength === 'number' && schema.minLength > 1)
    return `At least ${schema.minLength} characters.`;
  return undefined;
}

/** The default a variable takes when unset, as it would be written in the file. */
function defaultOf(field: z.ZodType, name: string, preset: Record<string, string>): string | undefined {
  if (variesByCheckout.has(name)) return undefined;
  const parsed = field.safeParse(undefined);
  if (parsed.success && parsed.data !== undefined) return String(parsed.data);
  return preset[name];
}

/** Lines of `# ...` text, wrapped so that the file reads in a terminal. */
function commentLines(text: string, width = 98): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length + word.length + 1 > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  if (line !== '#') lines.push(line);
  return lines;
}

function renderSection(section: Section, undocumented: string[]): string[] {
  const comments = commentsByVariable(section.source);
  const json = z.toJSONSchema(section.schema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  const out = ['', `# ${'-'.repeat(96)}`, ...section.title.map((t) => `# ${t}`), `# ${'-'.repeat(96)}`];
  for (const [name, field] of Object.entries(section.schema.shape) as [string, z.ZodType][]) {
    const description = field.description ?? comments.get(name);
    if (!description) {
      undocumented.push(name);
      continue;
    }
    const secret = section.secrets.find((s) => s.name === name);
    const fallback = defaultOf(field, name, section.preset ?? {});
    const facts = [
      accepted(json.properties[name] ?? {}),
      secret ? `Required in production: ${secret.fix}.` : undefined,
      json.required?.includes(name) && fallback === undefined ? 'Required.' : undefined,
      fallback === undefined && !variesByCheckout.has(name) ? 'No default.' : undefined,
    ].filter(Boolean);
    out.push('', ...commentLines(`${description} ${facts.join(' ')}`), `# ${name}=${fallback ?? ''}`);
  }
  return out;
}

/** wrangler.toml's [vars]: what a deployed edge gets when nothing overrides them. */
function wranglerVars(): Record<string, string> {
  const toml = Bun.TOML.parse(readFileSync(join(root, 'wrangler.toml'), 'utf8')) as {
    vars?: Record<string, unknown>;
  };
  return Object.fromEntries(Object.entries(toml.vars ?? {}).map(([k, v]) => [k, String(v)]));
}

/** The whole .env.example text. */
export function renderEnvExample(): string {
  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  const sections: Section[] = [
    {
      title: [
        'Core, the jobs runner, `bun run dev` and the db scripts (core/platform/config.ts).',
        'Copy to .env (Bun reads it) and uncomment what you change; the values shown are the defaults.',
      ],
      schema: configSchema,
      source: read('core/platform/config.ts'),
      secrets: productionSecrets,
    },
    {
      title: [
        'The edge worker (edge/env-schema.ts): wrangler.toml [vars], or `wrangler secret put NAME`.',
        '`bun run dev` and the tests set these themselves; the values shown are the defaults or [vars].',
      ],
      schema: edgeConfigSchema,
      source: read('edge/env-schema.ts'),
      secrets: edgeProductionSecrets,
      preset: wranglerVars(),
    },
  ];
  const header = [
    '# Every environment variable Varastokkr reads, with its default and what it does.',
    '# Generated by `bun run env:example` from the configuration schemas: do not edit by hand.',
  ];
  const undocumented: string[] = [];
  const body = sections.flatMap((section) => renderSection(section, undocumented));
  if (undocumented.length > 0)
    throw new Error(
      `No description for ${undocumented.join(', ')}: put a /** ... */ comment above each in its schema, then run \`bun run env:example\`.`,
    );
  return `${[...header, ...body].join('\n')}\n`;
}

if (import.meta.main) {
  writeFileSync(envExamplePath, renderEnvExample());
  console.log(`wrote ${envExamplePath}`);
}
