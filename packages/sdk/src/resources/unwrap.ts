import { domainError, type ErrorCode } from '../errors.ts';

type ErrorMember = { __typename: string; message: string; code: ErrorCode };

/**
 * Unwraps a mutation's result union: returns the success member's `data`, throws the typed error
 * for an error member.
 */
export function unwrap<T>(result: { __typename: string; data?: T } | ErrorMember | Record<string, unknown>): T {
  if ('data' in result && result.data !== undefined) return result.data as T;
  if ('message' in result && 'code' in result) throw domainError(result as ErrorMember & Record<string, unknown>);
  throw new Error(`unexpected result ${String((result as { __typename?: string }).__typename)}`);
}
