/**
 * The typed HTTP client: openapi-fetch over the generated paths, with credentials attached to
 * every request (an API key, or a user's access token kept fresh by a Session) and every
 * non-2xx answer thrown as a ProblemError.
 */
import createFetchClient, { type Client, type FetchResponse, type MaybeOptionalInit } from 'openapi-fetch';
import type { paths } from './api.js';
import { ProblemError } from './problem.js';
import { RoomSocket, type RoomSocketOptions } from './room-socket.js';
import { type SavedTokens, Session, type SessionOptions, type TokenPair, type User } from './session.js';

export type Credentials =
  /** A partner API key (X-API-Key); it does not expire. */
  | { apiKey: string }
  /** A user's email and password: signs in on the first request, and again when the session ends. */
  | { email: string; password: string }
  /** Tokens from an earlier sign-in. */
  | { tokens: SavedTokens };

export interface ClientOptions {
  /** The edge's URL, e.g. http://127.0.0.1:8787 */
  baseUrl: string;
  /** Who calls; without any, only public operations work until login(). */
  credentials?: Credentials;
  /** Refresh the access token this long before it expires (default 30 s). */
  refreshLeewayMs?: number;
  /** Called with every new token pair (sign-in and refresh). */
  onTokens?: SessionOptions['onTokens'];
  /** A fetch of your own (default: the global fetch). */
  fetch?: FetchLike;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';
type Media = `${string}/${string}`;
/** The paths that have an operation for this method. */
export type PathsWith<M extends HttpMethod> = {
  [P in keyof paths]: paths[P] extends Record<M, object> ? P : never;
}[keyof paths];
type RequiredKeysOf<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type InitParam<Init> =
  RequiredKeysOf<Init> extends never
    ? [(Init & { [key: string]: unknown })?]
    : [Init & { [key: string]: unknown }];

type Operation<P extends keyof paths, M extends HttpMethod> = Extract<paths[P][M], Record<string, unknown>>;
/** A fetch: the global one, or one of your own. */
export type FetchLike = (input: Request | string, init?: RequestInit) => Promise<Response>;

/** A successful answer: the typed body of its 2xx response, and the response itself (headers). */
export interface Answer<T> {
  data: T;
  response: Response;
}

/** One HTTP method over the typed paths; a non-2xx answer rejects with a ProblemError. */
export type TypedMethod<M extends HttpMethod> = <
  P extends PathsWith<M>,
  Init extends MaybeOptionalInit<paths[P], M>,
>(
  path: P,
  ...init: InitParam<Init>
) => Promise<Answer<NonNullable<FetchResponse<Operation<P, M>, Init, Media>['data']>>>;

/** Room socket options the client does not fill in itself. */
export type RoomOptions = Omit<RoomSocketOptions, 'baseUrl' | 'warehouseId' | 'token' | 'apiKey'>;

export interface VarastokkrClient {
  readonly baseUrl: string;
  GET: TypedMethod<'get'>;
  POST: TypedMethod<'post'>;
  PUT: TypedMethod<'put'>;
  PATCH: TypedMethod<'patch'>;
  DELETE: TypedMethod<'delete'>;
  /** openapi-fetch itself, with the same credentials, for callers that want `{ data, error }`. */
  raw: Client<paths, Media>;
  /** fetch with the client's base URL and credentials, for what is not JSON (CSV, labels). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Signs in with email and password; later requests carry the user's access token. */
  login(email: string, password: string): Promise<TokenPair>;
  /** Signs out; the client has no credentials afterwards. */
  logout(): Promise<void>;
  /**
   * A valid access token (refreshed when due, or when it would not last `minValidityMs`);
   * undefined with an API key or when nobody is signed in.
   */
  accessToken(need?: { minValidityMs?: number }): Promise<string | undefined>;
  /**
   * The live room of a warehouse with the client's credentials: the user's token, renewed on the
   * socket as the session refreshes, or the API key (Bun only: browsers cannot send its header).
   */
  room(warehouseId: string, options?: RoomOptions): RoomSocket;
  /** The signed-in user, after login or a refresh. */
  readonly user: User | undefined;
  /** The current tokens, to save and pass back later as `credentials: { tokens }`. */
  readonly tokens: SavedTokens | undefined;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export function createClient(options: ClientOptions): VarastokkrClient {
  const baseUrl = trimSlash(options.baseUrl);
  const baseFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const credentials = options.credentials;
  const apiKey = credentials && 'apiKey' in credentials ? credentials.apiKey : undefined;
  const session = new Session({
    baseUrl,
    fetch: baseFetch,
    refreshLeewayMs: options.refreshLeewayMs,
    onTokens: options.onTokens,
  });
  if (credentials && 'tokens' in credentials) session.restore(credentials.tokens);
  if (credentials && 'email' in credentials) session.useCredentials(credentials.email, credentials.password);

  /** Sends a request with credentials; a refused access token is renewed and the request sent once more. */
  const authenticated = async (request: Request): Promise<Response> => {
    if (apiKey !== undefined) {
      request.headers.set('x-api-key', apiKey);
      return baseFetch(request);
    }
    if (!session.active) return baseFetch(request);
    const retry = request.clone() as Request;
    const token = await session.accessToken();
    request.headers.set('authorization', `Bearer ${token}`);
    const response = await baseFetch(request);
    if (response.status !== 401) return response;
    const fresh = await session.renewAfterRejection(token);
    await response.body?.cancel();
    retry.headers.set('authorization', `Bearer ${fresh}`);
    return baseFetch(retry);
  };

  const raw = createFetchClient<paths, Media>({
    baseUrl,
    fetch: authenticated,
    ...(options.headers ? { headers: options.headers } : {}),
  });

  const method =
    <M extends HttpMethod>(name: Uppercase<M>): TypedMethod<M> =>
    async (path, ...init) => {
      const call = raw[name] as (
        p: string,
        i?: unknown,
      ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
      const { data, error, response } = await call(path, init[0]);
      if (!response.ok) throw await ProblemError.fromResponse(response, error ?? '');
      return { data, response } as never;
    };

  return {
    baseUrl,
    GET: method('GET'),
    POST: method('POST'),
    PUT: method('PUT'),
    PATCH: method('PATCH'),
    DELETE: method('DELETE'),
    raw,
    fetch: (path, init) =>
      authenticated(
        new Request(`${baseUrl}${path}`, {
          ...init,
          headers: { ...options.headers, ...Object.fromEntries(new Headers(init?.headers)) },
        }),
      ),
    login: (email, password) => session.login(email, password),
    logout: () => session.logout(),
    accessToken: async (need) =>
      apiKey !== undefined || !session.active ? undefined : session.accessToken(need?.minValidityMs),
    room: (warehouseId, roomOptions) =>
      new RoomSocket({
        ...roomOptions,
        baseUrl,
        warehouseId,
        ...(apiKey !== undefined
          ? { apiKey }
          : {
              token: (need) =>
                need.rejected
                  ? session.renewAfterRejection(need.rejected)
                  : session.accessToken(need.minValidityMs),
            }),
      }),
    get user() {
      return session.user;
    },
    get tokens() {
      return session.saved;
    },
  };
}
