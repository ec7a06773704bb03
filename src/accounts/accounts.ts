import { hashPassword } from '../http/auth.js';
import type { User } from '../store/types.js';
import type { Dav } from '../webdav/dav.js';
import { AccountError } from './errors.js';
import { checkDisplayName, checkEmail, checkPassword, checkUserName } from './rules.js';

export interface NewAccount {
  name: string;
  password: string;
  email?: string | null;
  displayName?: string | null;
  admin?: boolean;
}

/**
 * What accounts work on: the store, and the WebDAV server's way of giving a new user
 * their default collections (the server's own Dav, or one the CLI builds only when a
 * user is added, so other commands do not load the protocol stack).
 */
export type AccountHost = Pick<Dav, 'store' | 'createDefaultCollections'>;

/** A user as stored, before the rules (first start, tests): the password already hashed. */
export interface UserRecord {
  name: string;
  passwordHash: string;
  email: string | null;
  displayName: string | null;
  admin?: boolean;
}

/**
 * Creates a user with each kind's default collection (clients expect one). Only here, at
 * creation: a default the user deletes later stays deleted.
 */
export async function addUser(dav: AccountHost, record: UserRecord): Promise<User> {
  const user = await dav.store.createUser(record.name, record.passwordHash, record.email, record.displayName, record.admin ?? false);
  await dav.createDefaultCollections(user);
  return user;
}

/**
 * User management with one set of rules for the CLI and the web admin. Refusals are
 * AccountErrors; `dav` is the server's, so what a change does is told to its listeners.
 */
export class Accounts {
  constructor(
    private readonly dav: AccountHost,
    private readonly minPasswordLength: number,
  ) {}

  private get store() {
    return this.dav.store;
  }

  /** Every user, by name. */
  list(): Promise<User[]> {
    return this.store.listUsers();
  }

  /** The user with this name; AccountError when there is none. */
  async get(name: string): Promise<User> {
    const user = await this.store.getUser(name);
    if (!user) throw new AccountError(`there is no user ${name}`, 'name');
    return user;
  }

  async create(account: NewAccount): Promise<User> {
    const name = checkUserName(account.name);
    const password = checkPassword(account.password, this.minPasswordLength);
    const email = checkEmail(account.email);
    const displayName = checkDisplayName(account.displayName);
    if (await this.store.getUser(name)) throw new AccountError(`user ${name} already exists`, 'name');
    // The e-mail address is a log-in name too: it must name one user only.
    if (email !== null && (await this.store.getUserByEmail(email))) throw new AccountError(`another user has the e-mail address ${email}`, 'email');
    const passwordHash = await hashPassword(password);
    try {
      return await addUser(this.dav, { name, passwordHash, email, displayName, admin: account.admin ?? false });
    } catch (e) {
      // Made by someone else meanwhile: the unique name refused it.
      if (await this.store.getUser(name)) throw new AccountError(`user ${name} already exists`, 'name');
      throw e;
    }
  }

  /** Sets the password and signs the user's browsers out; app passwords stay. */
  async setPassword(name: string, password: string): Promise<void> {
    const user = await this.get(name);
    await this.store.setPasswordHash(user.id, await hashPassword(checkPassword(password, this.minPasswordLength)));
    await this.store.deleteWebSessionsOfUser(user.id);
  }

  /** A disabled user cannot sign in anywhere (password, app passwords, browser); the data stays. */
  async setDisabled(name: string, disabled: boolean): Promise<User> {
    const user = await this.get(name);
    if (disabled) await this.refuseLastAdmin(user, 'disabled');
    await this.store.setUserDisabled(user.id, disabled);
    if (disabled) await this.store.deleteWebSessionsOfUser(user.id);
    return { ...user, disabled };
  }

  /** Deletes the user with all their calendars, address books, app passwords and links. */
  async delete(name: string): Promise<void> {
    const user = await this.get(name);
    await this.refuseLastAdmin(user, 'deleted');
    if (!(await this.store.deleteUser(user.id))) throw new AccountError(`there is no user ${name}`, 'name');
  }

  /** Someone must be left to manage users from the web admin. */
  private async refuseLastAdmin(user: User, what: string): Promise<void> {
    if (!user.admin || user.disabled) return;
    const admins = (await this.store.listUsers()).filter((u) => u.admin && !u.disabled);
    if (admins.length <= 1) throw new AccountError(`${user.username} is the last administrator and cannot be ${what}`, 'name');
  }}
