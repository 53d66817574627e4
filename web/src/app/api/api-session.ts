/**
 * The app's one HTTP layer: the typed client (@varastokkr/client) with the signed-in user's
 * tokens, as signals. The client refreshes the access token before it expires; when a refresh
 * fails (the session was revoked, expired or signed out elsewhere) every caller is sent to the
 * sign-in page, which then returns to where they were.
 */
import { computed, Injectable, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import {
  createClient,
  ProblemError,
  type RoomOptions,
  type RoomSocket,
  type User,
  type VarastokkrClient,
} from '@varastokkr/client';
import { forgetSession, loadSession, saveSession } from './token-store';

export type Role = User['roles'][number];

@Injectable({ providedIn: 'root' })
export class ApiSession {
  private readonly router = inject(Router);
  private readonly baseUrl = globalThis.location?.origin ?? '';
  private readonly currentUser = signal<User | undefined>(undefined);
  private current: VarastokkrClient;

  /** The signed-in user, or undefined. */
  readonly user = this.currentUser.asReadonly();
  readonly roles = computed<readonly Role[]>(() => this.currentUser()?.roles ?? []);
  readonly signedIn = computed(() => this.currentUser() !== undefined);
  /** The policy actions the user may attempt (`/api/auth/me`); screens offer only these. */
  readonly actions = signal<readonly string[]>([]);
  /** Why the last session ended without the user signing out (shown on the sign-in page). */
  readonly endedBecause = signal<string | undefined>(undefined);

  constructor() {
    const stored = loadSession();
    this.current = this.clientFor(stored?.tokens);
    if (stored) {
      this.currentUser.set(stored.user);
      this.actions.set(stored.actions ?? []);
      if (!stored.actions) void this.loadActions().catch(() => undefined);
    }
  }

  /** The typed client: `await session.api((c) => c.GET('/api/warehouses'))`. */
  async api<T>(call: (client: VarastokkrClient) => Promise<T>): Promise<T> {
    try {
      return await call(this.current);
    } catch (err) {
      if (err instanceof ProblemError && err.status === 401 && this.signedIn()) this.sessionEnded();
      throw err;
    }
  }

  hasRole(...roles: Role[]): boolean {
    return this.roles().some((role) => roles.includes(role));
  }

  /**
   * Whether to offer an action (a policy name such as `users:manage`). Only a hint for what to
   * show: the API decides every call, and a scoped action may still be refused in a warehouse
   * outside the user's scope.
   */
  can(action: string): boolean {
    return this.actions().includes(action);
  }

  /** Signs in with email and password; a wrong one rejects with the API's ProblemError. */
  async signIn(email: string, password: string): Promise<User> {
    const anonymous = createClient({ baseUrl: this.baseUrl });
    const { data } = await anonymous.POST('/api/auth/login', { body: { email, password } });
    // The password is not kept: when the session can no longer be refreshed, the person signs in again.
    const tokens = {
      accessToken: data.accessToken,
      refreshToken: data.refreshToken,
      expiresAt: Date.now() + data.expiresIn * 1000,
    };
    this.current = this.clientFor(tokens);
    saveSession({ tokens, user: data.user });
    this.endedBecause.set(undefined);
    await this.loadActions();
    this.currentUser.set(data.user);
    return data.user;
  }

  /** Asks the API what this user may do, and keeps it with the session. */
  private async loadActions(): Promise<void> {
    const { data } = await this.current.GET('/api/auth/me');
    this.actions.set(data.actions);
    const stored = loadSession();
    if (stored) saveSession({ ...stored, actions: data.actions });
  }

  /** Signs out here and on the server (the refresh token's family stops working). */
  async signOut(): Promise<void> {
    const client = this.current;
    this.forget();
    await client.logout().catch(() => undefined); // already gone on the server is as good
    await this.router.navigateByUrl('/login');
  }

  /** The live room of a warehouse, with this session's token (renewed on the open socket). */
  room(warehouseId: string, options?: RoomOptions): RoomSocket {
    const room = this.current.room(warehouseId, options);
    room.on('close', (close) => {
      if (close.kind === 'credential-gone' && !close.reconnecting) this.sessionEnded();
    });
    room.on('error', ({ cause }) => {
      if (cause instanceof ProblemError && cause.status === 401) this.sessionEnded();
    });
    return room;
  }

  /** A session the server no longer accepts: forget it and ask for a sign-in, coming back here after. */
  sessionEnded(): void {
    if (!this.signedIn()) return;
    this.forget();
    this.endedBecause.set('Your session has ended. Sign in again to continue.');
    const returnTo = this.router.url;
    void this.router.navigate(['/login'], { queryParams: returnTo.startsWith('/login') ? {} : { returnTo } });
  }

  private forget(): void {
    forgetSession();
    this.current = this.clientFor(undefined);
    this.currentUser.set(undefined);
    this.actions.set([]);
  }

  private clientFor(tokens: Parameters<typeof saveSession>[0]['tokens'] | undefined): VarastokkrClient {
    return createClient({
      baseUrl: this.baseUrl,
      ...(tokens ? { credentials: { tokens } } : {}),
      onTokens: ({ user, ...fresh }) => {
        saveSession({ tokens: fresh, user, actions: [...this.actions()] });
        this.currentUser.set(user);
      },
    });
  }
}
