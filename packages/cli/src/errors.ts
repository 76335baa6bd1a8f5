import { redact, TdmDomainError, TdmError, TdmGraphQLError } from '@tdm/sdk';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';

export interface ReportedError {
  code: string;
  message: string;
  exitCode: ExitCode;
}

/** Any failure as `{ code, message, exitCode }`, the message on one line with passwords redacted. */
export function describeError(err: unknown): ReportedError {
  const oneLine = (text: string) =>
    redact(text)
      .replace(/\s*\n\s*/g, ' ')
      .trim();
  if (err instanceof CliError) return { code: err.code, message: oneLine(err.message), exitCode: err.exitCode };
  if (err instanceof TdmDomainError) return { code: err.code, message: oneLine(err.message), exitCode: EXIT.API_ERROR };
  if (err instanceof TdmGraphQLError) {
    const code = err.errors.map((e) => e.extensions?.code).find((c): c is string => typeof c === 'string');
    // 401/403 from the server's auth are network-level for a CI step: the token is wrong, not the request.
    if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') return { code, message: oneLine(err.message), exitCode: EXIT.NETWORK };
    return { code: code ?? err.code, message: oneLine(err.message), exitCode: EXIT.API_ERROR };
  }
  if (err instanceof TdmError) {
    return { code: err.code, message: oneLine(err.message), exitCode: err.code === 'TIMEOUT' ? EXIT.TIMEOUT : EXIT.NETWORK };
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT' || e?.code === 'EACCES' || e?.code === 'EISDIR') return { code: 'USAGE', message: oneLine(e.message), exitCode: EXIT.USAGE };
  return { code: 'INTERNAL', message: oneLine(e instanceof Error ? e.message : String(err)), exitCode: EXIT.JOB_FAILED };
}
