import { checkNewPassword } from '../http/auth.js';
import { AccountError } from './errors.js';

// The rules for what an account may hold, the same wherever it is made or changed
// (CLI, web admin, first start). Each returns the value to store or throws AccountError.

const NAME = /^[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,63}$/;

/** A user name is a URL segment (/dav/calendars/<name>/): plain characters, not `.`-led (no `.` or `..`), at most 64. */
export function checkUserName(name: string): string {
  if (!NAME.test(name)) {
    throw new AccountError('a user name has 1 to 64 letters, digits and . _ @ - (not starting with a dot)', 'name');
  }
  return name;
}

export function checkPassword(password: string, minLength: number): string {
  try {
    checkNewPassword(password, minLength);
  } catch (e) {
    throw new AccountError((e as Error).message, 'password');
  }
  return password;
}

/** An e-mail address (also a log-in name): one @, no spaces; empty means none. */
export function checkEmail(email: string | null | undefined): string | null {
  const value = email?.trim() ?? '';
  if (value === '') return null;
  if (!/^[^\s@]+@[^\s@]+$/.test(value) || value.length > 254) throw new AccountError(`"${value}" is not an e-mail address`, 'email');
  return value;
}

/** A display name: one line of at most 200 characters; empty means none. */
export function checkDisplayName(displayName: string | null | undefined): string | null {
  const value = displayName?.trim() ?? '';
  if (value === '') return null;
  // eslint-disable-next-line no-control-regex
  if (value.length > 200 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new AccountError('a display name is one line of at most 200 characters', 'displayName');
  }
  return value;
}
