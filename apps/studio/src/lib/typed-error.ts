/**
 * An expected failure of the API (a member of a result union implementing `Error`), or a
 * transport/GraphQL failure reduced to the same shape, so one alert can show either.
 * `reason` and `url` are set for a crawl failure only.
 */
export interface TypedError {
  message: string;
  code: string;
  reason?: string;
  url?: string;
}

type ErrorMember = { __typename: string; message?: string; code?: string; reason?: string; url?: string };

/** The typed error of a non-success union member; the message falls back to the code. */
export function toTypedError(outcome: ErrorMember): TypedError {
  const code = outcome.code ?? outcome.__typename;
  return {
    message: outcome.message || `The request failed (${code}).`,
    code,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(outcome.url ? { url: outcome.url } : {}),
  };
}

/** A network or GraphQL error (urql's CombinedError), or no answer at all. */
export function requestError(error: { message: string } | undefined): TypedError {
  return { message: error?.message ?? 'The server returned no result.', code: error ? 'REQUEST_FAILED' : 'NO_RESULT' };
}
