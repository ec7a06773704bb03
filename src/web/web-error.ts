/** A refusal the UI answers with an error page of this status (a missing CSRF token, a page for admins only). */
export class WebError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
