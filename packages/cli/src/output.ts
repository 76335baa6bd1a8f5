/**
 * Where output goes. Human lines go to stdout; with `--json` stdout carries exactly one JSON object
 * and every human line goes to stderr, so `tdm … --json | jq` always parses.
 */
export class Output {
  constructor(readonly json: boolean) {}

  /** A human line (stdout, or stderr with --json). */
  line(text = ''): void {
    (this.json ? process.stderr : process.stdout).write(`${text}\n`);
  }

  /** The one JSON result of a --json command. */
  result(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** A table of rows as aligned columns. */
  table(rows: Record<string, unknown>[], columns: string[]): void {
    const cells = rows.map((r) => columns.map((c) => format(r[c])));
    const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
    this.line(columns.map((c, i) => c.toUpperCase().padEnd(widths[i]!)).join('  '));
    for (const row of cells) this.line(row.map((v, i) => v.padEnd(widths[i]!)).join('  '));
  }
}

function format(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
