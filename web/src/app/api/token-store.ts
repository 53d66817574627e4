/**
 * Where the signed-in session is kept: sessionStorage. It survives a reload and a deep link
 * opened in the same tab (so a refresh does not sign anyone out), but not the tab: closing it
 * ends the session on this machine, and other tabs sign in for themselves. localStorage would
 * keep a refresh token on a shared warehouse PC indefinitely; memory alone would sign people out
 * on every reload. Any script on the page can read sessionStorage, so the app loads no
 * third-party scripts (everything is served from our own origin).
 */
import type { SavedTokens, User } from '@varastokkr/client';

export interface StoredSession {
  tokens: SavedTokens;
  user: User;
  /** What the policy lets this user attempt (from /api/auth/me), so screens offer only that. */
  actions?: string[];
}

const KEY = 'varastokkr.session';

export function loadSession(
  storage: Storage | undefined = globalThis.sessionStorage,
): StoredSession | undefined {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as StoredSession;
    return parsed.tokens?.refreshToken && parsed.user?.id ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(
  session: StoredSession,
  storage: Storage | undefined = globalThis.sessionStorage,
): void {
  storage?.setItem(KEY, JSON.stringify(session));
}

export function forgetSession(storage: Storage | undefined = globalThis.sessionStorage): void {
  storage?.removeItem(KEY);
}
