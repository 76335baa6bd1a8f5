/**
 * The exit codes of `tdm`, stable so a CI step can branch on them:
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success (a run ended COMPLETED) |
 * | 1 | the job ended FAILED or CANCELLED |
 * | 2 | usage: an unknown command, a bad or missing flag, an unreadable file |
 * | 3 | the API refused the request with a typed error (NOT_FOUND, INVALID_INPUT, HOST_UNREACHABLE…) |
 * | 4 | the API could not be reached, answered badly, or refused the token |
 * | 5 | the run completed but its quality score is below `--min-quality` (or it has none) |
 * | 6 | a wait timed out (`--timeout`) |
 */
export const EXIT = {
  OK: 0,
  JOB_FAILED: 1,
  USAGE: 2,
  API_ERROR: 3,
  NETWORK: 4,
  QUALITY: 5,
  TIMEOUT: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line (`error CODE: message`) and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError('USAGE', message, EXIT.USAGE);
