import type { ErrorMember } from '../error-fields.ts';
import { domainError } from '../errors.ts';

/**
 * Unwraps a result union: returns the success member's `data`, throws the typed error for an error
 * member (selected with the `ErrorFields` fragment).
 */
export function unwrap<T>(result: { __typename: string; data?: T } | ErrorMember | Record<string, unknown>): T {
  if ('data' in result && result.data !== undefined) return result.data as T;
  if ('message' in result && 'code' in result) throw domainError(result as ErrorMember);
  throw new Error(`unexpected result ${String((result as { __typename?: string }).__typename)}`);
}
