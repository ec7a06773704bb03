// Errors of the JSON API in Google's shape (developers.google.com/workspace/calendar/api/guides/errors):
// {"error":{"errors":[{domain, reason, message, locationType?, location?}], code, message}}.
// Google's client libraries read `code`, `message` and `errors[].reason`.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly location?: string,
    readonly locationType: string = 'parameter',
    readonly domain: string = 'global',
  ) {
    super(message);
  }

  body(): unknown {
    const detail: Record<string, string> = { domain: this.domain, reason: this.reason, message: this.message };
    if (this.location !== undefined) Object.assign(detail, { locationType: this.locationType, location: this.location });
    return { error: { errors: [detail], code: this.status, message: this.message } };
  }
}

export const badRequest = (message: string, location?: string, reason = 'invalid') => new ApiError(400, reason, message, location);
export const notFound = (message = 'Not Found') => new ApiError(404, 'notFound', message);
