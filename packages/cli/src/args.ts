import { type ParseArgsConfig, parseArgs } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { TdmClient } from '@tdm/sdk';
import { usageError } from './exit-codes.ts';

/** Flags every command takes. */
export const GLOBAL_OPTIONS = {
  api: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies OptionsConfig;

export const DEFAULT_API = 'http://localhost:8003/graphql';

/** Parses `argv` strictly: an unknown flag or a missing value is a usage error (exit 2), not a guess. */
export function parse<const O extends OptionsConfig>(argv: string[], options: O) {
  try {
    const all = { ...GLOBAL_OPTIONS, ...options } as typeof GLOBAL_OPTIONS & O;
    return parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

export interface Globals {
  api: string;
  token: string | undefined;
  json: boolean;
}

/** `--api` (then TDM_URL, then the local default) and `--token` (then TDM_TOKEN). */
export function globals(values: { api?: string; token?: string; json?: boolean }, env: NodeJS.ProcessEnv = process.env): Globals {
  const api = values.api ?? env.TDM_URL ?? DEFAULT_API;
  try {
    new URL(api);
  } catch {
    throw usageError(`--api ${JSON.stringify(api)} is not a URL (e.g. http://localhost:8003/graphql)`);
  }
  return { api, token: values.token ?? (env.TDM_TOKEN || undefined), json: values.json ?? false };
}

export const clientFor = (g: Globals) => new TdmClient({ url: g.api, token: g.token });

/** `a,b , c` → ['a', 'b', 'c']. */
export const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `'*=1000,orders=5000'` → `{ '*': 1000, orders: 5000 }`. */
export function rowCounts(value: string | undefined): Record<string, number> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const part of list(value) ?? []) {
    const m = /^([^=]+)=(\d+)$/.exec(part);
    if (!m) throw usageError(`--rows: ${JSON.stringify(part)} is not table=count (e.g. '*=1000,orders=5000')`);
    out[m[1]!.trim()] = Number(m[2]);
  }
  if (!Object.keys(out).length) throw usageError('--rows is empty');
  return out;
}

export function positional(positionals: string[], index: number, name: string): string {
  const v = positionals[index];
  if (!v) throw usageError(`missing <${name}>`);
  return v;
}

export function number(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw usageError(`${flag} ${JSON.stringify(value)} is not a number`);
  return n;
}
