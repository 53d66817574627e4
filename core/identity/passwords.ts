import { ServiceUnavailableError } from '../platform/problem.ts';

/**
 * Password hashing with argon2id (Bun.password; its verify compares in constant time). Each
 * hash holds ~64 MiB for its duration, so at most `concurrency` run at once and at most `queue`
 * wait: a login flood gets 503s instead of exhausting memory.
 */
export class PasswordHasher {
  private running = 0;
  private waiting: (() => void)[] = [];
  // Verified against when the account does not exist, so that a wrong email costs exactly as
  // long as a wrong password and answers cannot tell the two apart.
  private readonly decoy: Promise<string>;

  constructor(
    private readonly concurrency: number,
    private readonly queue: number,
  ) {
    this.decoy = Bun.password.hash(crypto.randomUUID(), { algorithm: 'argon2id' });
  }

  hash(password: string): Promise<string> {
    return this.limited(() => Bun.password.hash(password, { algorithm: 'argon2id' }));
  }

  /** Verifies against the stored hash, or against the decoy when there is none. */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const target = hash ?? (await this.decoy);
    const ok = await this.limited(() => Bun.password.verify(password, target));
    return hash !== undefined && ok;
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) {
        throw new ServiceUnavailableError('Too many sign-ins at once; retry in a moment.');
      }
      await new Promise<void>((resume) => this.waiting.push(resume));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // hand our slot to the next waiter
      else this.running--;
    }
  }
}
