/** Google accounts and registered OAuth clients. */
import { randomAccountId, randomToken } from './ids.ts';
import type { EmulatorUser, RegisteredClient } from './types.ts';

export class UnknownUserError extends Error {}

export class Accounts {
  private readonly users = new Map<string, EmulatorUser>();
  private readonly clients = new Map<string, RegisteredClient>();
  /** The scopes each user's next consent is limited to (set by a test, used once). */
  private readonly nextGrants = new Map<string, string[]>();
  private userCount = 0;
  private clientCount = 0;

  createUser(input: { id?: string; email?: string; name?: string; timeZone?: string } = {}): EmulatorUser {
    this.userCount += 1;
    const email = (input.email ?? `user${this.userCount}@example.com`).toLowerCase();
    if (this.findUser(email)) throw new Error(`user ${email} already exists`);
    if (input.id !== undefined && !/^[0-9]{21}$/.test(input.id)) throw new Error('a user id is 21 digits');
    if (input.id !== undefined && this.users.has(input.id))
      throw new Error(`user ${input.id} already exists`);
    const user: EmulatorUser = {
      id: input.id ?? randomAccountId(),
      email,
      name: input.name ?? email.split('@')[0] ?? email,
      timeZone: input.timeZone ?? 'UTC',
    };
    this.users.set(user.id, user);
    return user;
  }

  /** By id or email. */
  findUser(idOrEmail: string): EmulatorUser | undefined {
    const byId = this.users.get(idOrEmail);
    if (byId) return byId;
    const email = idOrEmail.toLowerCase();
    return [...this.users.values()].find((user) => user.email === email);
  }

  requireUser(idOrEmail: string): EmulatorUser {
    const user = this.findUser(idOrEmail);
    if (!user) throw new UnknownUserError(`unknown user ${idOrEmail}`);
    return user;
  }

  userById(id: string): EmulatorUser {
    return this.requireUser(id);
  }

  allUsers(): EmulatorUser[] {
    return [...this.users.values()];
  }

  registerClient(input: Partial<RegisteredClient> = {}): RegisteredClient {
    this.clientCount += 1;
    const clientId = input.clientId ?? `${this.clientCount}-emulated.apps.googleusercontent.com`;
    const client: RegisteredClient = {
      clientId,
      clientSecret: input.clientSecret ?? randomToken('GOCSPX-', 18),
      redirectUris: input.redirectUris ?? [],
      requirePkce: input.requirePkce ?? false,
      projectId: input.projectId ?? `project-${clientId}`,
    };
    this.clients.set(clientId, client);
    return client;
  }

  findClient(clientId: string): RegisteredClient | undefined {
    return this.clients.get(clientId);
  }

  allClients(): RegisteredClient[] {
    return [...this.clients.values()];
  }

  setNextGrant(userId: string, scopes: string[]): void {
    this.nextGrants.set(userId, scopes);
  }

  peekNextGrant(userId: string): string[] | undefined {
    return this.nextGrants.get(userId);
  }

  /** The limit set for this user's next consent, consumed. */
  takeNextGrant(userId: string): string[] | undefined {
    const scopes = this.nextGrants.get(userId);
    this.nextGrants.delete(userId);
    return scopes;
  }
}
