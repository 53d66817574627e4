import type { Database } from '../platform/database.ts';
import { PasswordHasher } from './passwords.ts';
import type { AuthSettings } from './settings.ts';
import { KeyRing } from './signing-keys.ts';

/** What identity keeps per process: settings, the signing-key cache, the bounded password hasher. */
export interface IdentityRuntime {
  settings: AuthSettings;
  keys: KeyRing;
  passwords: PasswordHasher;
}

export function createIdentityRuntime(db: Database, settings: AuthSettings): IdentityRuntime {
  return {
    settings,
    keys: new KeyRing(db, settings),
    passwords: new PasswordHasher(settings.passwordHashConcurrency, settings.passwordHashQueue),
  };
}
