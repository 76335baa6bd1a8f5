import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { clientFor, globals, parse, positional } from '../args.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { Output } from '../output.ts';

export const DATASETS_HELP = `tdm datasets — dataset versions (subsets, masked copies, synthetic data)

  tdm datasets list                                   every dataset version, newest first
  tdm datasets show <id>                              its tables, row counts, checksums and origin
  tdm datasets export <id> --format csv|parquet --out <dir> [--table schema.name]
                                                      one file per table (<schema>.<table>.csv|parquet), streamed

Examples:
  tdm datasets list --json
  tdm datasets export "$DATASET_ID" --format parquet --out artifacts/data`;

const OPTIONS = { format: { type: 'string' }, out: { type: 'string' }, table: { type: 'string', multiple: true } } as const;

export async function datasets(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  const [sub] = positionals;
  if (values.help || !sub) {
    console.log(DATASETS_HELP);
    return values.help ? EXIT.OK : EXIT.USAGE;
  }
  const g = globals(values);
  const out = new Output(g.json);
  const client = clientFor(g);
  if (sub === 'list') {
    const all = await client.datasets.list();
    if (g.json) out.result({ datasets: all });
    else out.table(all, ['id', 'name', 'kind', 'totalRows', 'createdAt']);
  } else if (sub === 'show') {
    const d = await client.datasets.get(positional(positionals, 1, 'id'));
    if (g.json) out.result(d);
    else {
      out.line(`${d.name} (${d.kind}) ${d.id} — ${d.totalRows} rows, ${d.bytes} bytes, created ${d.createdAt}`);
      if (d.derivedFrom) out.line(`derived from ${d.derivedFrom.kind} ${d.derivedFrom.id}`);
      out.table(d.tables, ['schema', 'name', 'rowCount', 'bytes', 'checksum']);
    }
  } else if (sub === 'export') {
    const id = positional(positionals, 1, 'id');
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'parquet') throw usageError(`--format ${JSON.stringify(format)}: csv or parquet`);
    if (!values.out) throw usageError('tdm datasets export needs --out <dir>');
    const d = await client.datasets.get(id);
    const wanted = values.table;
    const tables = d.tables.filter((t) => !wanted || wanted.includes(`${t.schema}.${t.name}`) || wanted.includes(t.name));
    if (wanted && tables.length !== wanted.length)
      throw usageError(`--table: ${wanted.join(', ')} not all in ${d.tables.map((t) => `${t.schema}.${t.name}`).join(', ')}`);
    await mkdir(values.out, { recursive: true });
    const files: { table: string; file: string; rows: number }[] = [];
    for (const t of tables) {
      const file = join(values.out, `${t.schema}.${t.name}.${format}`);
      const body = await client.datasets.export(id, { table: `${t.schema}.${t.name}`, format });
      await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(file));
      files.push({ table: `${t.schema}.${t.name}`, file, rows: t.rowCount });
      out.line(`${file}  (${t.rowCount} rows)`);
    }
    if (g.json) out.result({ datasetVersionId: id, format, files });
  } else {
    throw usageError(`unknown datasets command ${JSON.stringify(sub)} (list, show, export)`);
  }
  return EXIT.OK;
}
