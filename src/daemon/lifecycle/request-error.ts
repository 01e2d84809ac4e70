// A request the daemon cannot carry out, in the domain's terms: what is wrong and which request
// field is at fault. Only api/ turns it into an HTTP status.
export type RequestErrorKind = 'not-found' | 'invalid' | 'forbidden';

export class RequestError extends Error {
  constructor(
    message: string,
    readonly kind: RequestErrorKind,
    readonly field?: string,
  ) {
    super(message);
  }
}
