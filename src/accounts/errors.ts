/** Which input an account rule refused: a form shows the message beside that field. */
export type AccountField = 'name' | 'password' | 'email' | 'displayName';

/**
 * A refusal a person can act on (a name taken, a password too short, no such user): the
 * CLI prints the message, the web admin shows it beside `field`. Anything else thrown
 * while managing accounts is a fault, not a refusal.
 */
export class AccountError extends Error {
  constructor(
    message: string,
    readonly field?: AccountField,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}
