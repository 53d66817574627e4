/**
 * A signed-in user's tokens: logs in with email and password, and keeps a valid access token,
 * refreshing it through POST /api/auth/refresh shortly before it expires (or when the server
 * refused it). Concurrent callers share one refresh: a refresh token works once (a second use
 * revokes the whole session), so two refreshes at once would sign the user out.
 */
import type { components } from './api.js';
import { ProblemError } from './problem.js';

export type TokenPair = components['schemas']['TokenPair'];
export type User = components['schemas']['User'];

/** Tokens from an earlier sign-in, to go on with (e.g. kept by a browser app). */
export interface SavedTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (ms since the epoch); unknown means refresh on first 401. */
  expiresAt?: number;
}

export interface SessionOptions {
  baseUrl: string;
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  /** Refresh this long before the access token expires (default 30 s). */
  refreshLeewayMs?: number;
  /** Called with every new pair (sign-in and refresh), e.g. to store the refresh token. */
  onTokens?: (tokens: SavedTokens & { user: User }) => void;
}

export class Session {
  private tokens: SavedTokens | undefined;
  private credentials: { email: string; password: string } | undefined;
  private pending: Promise<string> | undefined;
  private currentUser: User | undefined;
  /** How long the last access token was issued for (ms), so the leeway fits short-lived tokens. */
  private lifeMs = Number.POSITIVE_INFINITY;

  constructor(private readonly options: SessionOptions) {}

  /** The signed-in user, as the last sign-in or refresh returned them. */
  get user(): User | undefined {
    return this.currentUser;
  }

  /** Whether requests can carry a user's token: signed in, or able to sign in. */
  get active(): boolean {
    return this.tokens !== undefined || this.credentials !== undefined;
  }

  /** The tokens held now (to save and restore), if signed in. */
  get saved(): SavedTokens | undefined {
    return this.tokens && { ...this.tokens };
  }

  /** Goes on from tokens saved earlier. */
  restore(tokens: SavedTokens): void {
    this.tokens = { ...tokens };
  }

  /**
   * Remembers email and password: the first request signs in, and a session that can no longer
   * be refreshed (expired, revoked) signs in again.
   */
  useCredentials(email: string, password: string): void {
    this.credentials = { email, password };
  }

  /** Signs in now (POST /api/auth/login). */
  async login(email: string, password: string): Promise<TokenPair> {
    this.credentials = { email, password };
    return this.take(await this.post('/api/auth/login', { email, password }));
  }

  /** Signs out (POST /api/auth/logout): the refresh token's whole family stops working. */
  async logout(): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    this.tokens = undefined;
    this.credentials = undefined;
    this.currentUser = undefined;
    if (refreshToken) await this.send('/api/auth/logout', { refreshToken });
  }

  /**
   * A valid access token: the one held, or a fresh one when it expires within the leeway (or
   * within `minValidityMs`, for a caller that needs it to last, like a room socket).
   */
  async accessToken(minValidityMs = 0): Promise<string> {
    if (this.pending) return this.pending;
    const held = this.tokens;
    const leeway = Math.max(Math.min(this.options.refreshLeewayMs ?? 30_000, this.lifeMs / 2), minValidityMs);
    if (held && (held.expiresAt === undefined || held.expiresAt - leeway > Date.now()))
      return held.accessToken;
    return this.renew();
  }

  /**
   * A fresh access token after the server refused `rejected`. If another caller already renewed
   * it (the token held is no longer the one refused), that one is returned without a refresh.
   */
  async renewAfterRejection(rejected: string): Promise<string> {
    if (this.pending) return this.pending;
    if (this.tokens && this.tokens.accessToken !== rejected) return this.tokens.accessToken;
    return this.renew();
  }

  /** One refresh (or sign-in) at a time; every caller meanwhile waits for the same one. */
  private renew(): Promise<string> {
    this.pending ??= this.refreshOrSignIn().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refreshOrSignIn(): Promise<string> {
    const refreshToken = this.tokens?.refreshToken;
    if (refreshToken) {
      try {
        return this.take(await this.post('/api/auth/refresh', { refreshToken })).accessToken;
      } catch (err) {
        // A refresh token that expired or was revoked: sign in again if we can.
        if (!(err instanceof ProblemError && err.status === 401 && this.credentials)) throw err;
      }
    }
    if (!this.credentials) {
      throw new ProblemError({
        type: 'https://varastokkr.dev/problems/unauthorized',
        title: 'Unauthorized',
        status: 401,
        detail: 'Not signed in: call login() or pass email and password (or tokens) to createClient.',
      });
    }
    const { email, password } = this.credentials;
    return this.take(await this.post('/api/auth/login', { email, password })).accessToken;
  }

  private take(pair: TokenPair): TokenPair {
    this.lifeMs = pair.expiresIn * 1000;
    this.tokens = {
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      expiresAt: Date.now() + pair.expiresIn * 1000,
    };
    this.currentUser = pair.user;
    this.options.onTokens?.({ ...this.tokens, user: pair.user });
    return pair;
  }

  private async post(path: string, body: unknown): Promise<TokenPair> {
    return (await this.send(path, body)) as TokenPair;
  }

  private async send(path: string, body: unknown): Promise<unknown> {
    const response = await this.options.fetch(`${this.options.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await ProblemError.fromResponse(response);
    return response.status === 204 ? undefined : response.json();
  }
}
