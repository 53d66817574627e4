/**
 * One GraphQL request from text to answer: parse, validate, check depth and cost, execute, and
 * pick the HTTP status. A request that cannot run (malformed, unknown fields, bad variables, over
 * a limit) is 400 with `errors` and no `data`. One that ran is 200, even with some fields' errors,
 * unless it produced nothing at all and every error is the same refusal (401, 403, 404): then it
 * answers that status, as the REST endpoint would have.
 */
import {
  type ExecutionResult,
  execute,
  type GraphQLError,
  type GraphQLFormattedError,
  getOperationAST,
  parse,
  validate,
} from 'graphql';
import { AppError } from '../../core/platform/problem.ts';
import { checkLimits } from './limits.ts';
import { graphqlSchema } from './schema.ts';
import type { Sources } from './sources.ts';

/** What the client sent: the query text, its variables, which operation to run. */
export interface GraphqlParams {
  query: string;
  variables?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
}

export interface GraphqlAnswer {
  status: number;
  body: { data?: unknown; errors?: GraphQLFormattedError[]; extensions?: Record<string, unknown> };
}

/** Longest query text accepted, and most tokens parsed: a bound on work before validation. */
export const MAX_QUERY_CHARS = 20_000;
const MAX_TOKENS = 4_000;

const codes: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'BAD_USER_INPUT',
  429: 'TOO_MANY_REQUESTS',
};

/** A request that cannot run: 400 with the error, no data. */
export const refused = (message: string, code = 'BAD_REQUEST'): GraphqlAnswer => ({
  status: 400,
  body: { errors: [{ message, extensions: { code, status: 400 } }] },
});

/**
 * An error as the client sees it: a refusal from REST keeps its status, title and problem type;
 * anything else that went wrong inside says only that it did (the log has it, by request id).
 */
function formatted(err: GraphQLError, logUnexpected: (err: unknown) => void): GraphQLFormattedError {
  const original = err.originalError;
  if (original instanceof AppError) {
    const problem = original.toProblem();
    const code = codes[original.status] ?? (original.status >= 500 ? 'UNAVAILABLE' : 'ERROR');
    return {
      ...err.toJSON(),
      message: original.message,
      extensions: { code, status: original.status, type: problem.type, title: problem.title },
    };
  }
  if (original && original.name !== 'GraphQLError') {
    logUnexpected(original);
    return {
      ...err.toJSON(),
      message: 'Internal error; the request id names it in the edge log.',
      extensions: { code: 'INTERNAL_SERVER_ERROR', status: 500 },
    };
  }
  return err.toJSON();
}

/** The status a finished execution answers with (see the module comment). */
function statusOf(result: ExecutionResult, errors: GraphQLFormattedError[]): number {
  const data = (result.data ?? {}) as Record<string, unknown>;
  if (errors.length === 0 || Object.values(data).some((v) => v !== null)) return 200;
  const statuses = new Set(errors.map((e) => e.extensions?.status));
  const [only] = statuses;
  return statuses.size === 1 && typeof only === 'number' && only >= 400 && only < 500 ? only : 200;
}

export async function runGraphql(
  params: GraphqlParams,
  sources: Sources,
  logUnexpected: (err: unknown) => void,
): Promise<GraphqlAnswer> {
  if (params.query.length > MAX_QUERY_CHARS)
    return refused(`The query is ${params.query.length} characters; at most ${MAX_QUERY_CHARS}.`);
  let document: ReturnType<typeof parse>;
  try {
    document = parse(params.query, { maxTokens: MAX_TOKENS });
  } catch (err) {
    return { status: 400, body: { errors: [(err as GraphQLError).toJSON()] } };
  }
  const invalid = validate(graphqlSchema, document);
  if (invalid.length > 0) return { status: 400, body: { errors: invalid.map((e) => e.toJSON()) } };
  const operation = getOperationAST(document, params.operationName);
  if (!operation)
    return refused(
      'Name the operation to run (operationName): the document holds none or several by that name.',
    );
  if (operation.operation !== 'query')
    return refused(`This API is read-only: run a query, not a ${operation.operation}.`, 'READ_ONLY');
  const variables = params.variables ?? {};
  const limits = checkLimits(graphqlSchema, document, operation, variables);
  if (limits.errors.length > 0)
    return { status: 400, body: { errors: limits.errors.map((e) => e.toJSON()) } };

  const result = await execute({
    schema: graphqlSchema,
    document,
    variableValues: variables,
    operationName: params.operationName,
    contextValue: sources,
  });
  const errors = (result.errors ?? []).map((e) => formatted(e, logUnexpected));
  const extensions = { cost: limits.cost, depth: limits.depth, reads: sources.reads };
  // No data at all: the variables did not fit the operation (a request error).
  if (result.data === undefined || result.data === null) return { status: 400, body: { errors, extensions } };
  return {
    status: statusOf(result, errors),
    body: { ...(errors.length > 0 ? { errors } : {}), data: result.data, extensions },
  };
}
