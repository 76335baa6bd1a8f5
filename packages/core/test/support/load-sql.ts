/**
 * Loads psql scripts (pg_dump output, sample databases) through a `SqlClient`, so the same fixture
 * lands in a real PostgreSQL or in PGlite without psql installed.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlClient } from '../../src/db/sql-client.ts';

export type ScriptPiece = { kind: 'sql'; text: string; offset: number } | { kind: 'copy'; text: string; data: string; offset: number };

const IDENT_CHAR = /[\p{L}\p{N}_$]/u;
const DOLLAR_TAG = /\$(?:[\p{L}_][\p{L}\p{N}_]*)?\$/uy;
const COPY_FROM_STDIN = /^COPY\b[\s\S]*\bFROM\s+STDIN\b/i;

/**
 * Splits a psql script into statements and `COPY … FROM stdin` blocks with their data. Quotes
 * ('…', E'…', "…", $tag$…$tag$) and comments (--, nested /* *\/) are honoured; psql
 * meta-commands (`\c db`, `\set …`) are dropped.
 */
export function splitSqlScript(text: string): ScriptPiece[] {
  const pieces: ScriptPiece[] = [];
  let codeStart = -1; // offset of the first character of the current statement, -1 while blank
  let i = 0;
  const skipTo = (target: number) => {
    i = target < 0 ? text.length : target;
  };
  const lineEnd = (from: number) => {
    const eol = text.indexOf('\n', from);
    return eol < 0 ? text.length : eol + 1;
  };
  /** Ends the statement at `end`; returns where scanning resumes (past the data of a COPY FROM stdin). */
  const emit = (end: number): number => {
    if (codeStart < 0) return end;
    const statement = text.slice(codeStart, end).trim();
    const offset = codeStart;
    codeStart = -1;
    if (!COPY_FROM_STDIN.test(statement)) {
      pieces.push({ kind: 'sql', text: statement, offset });
      return end;
    }
    // The data starts on the next line and ends at a line holding only `\.` (or at the end of the script).
    const dataStart = lineEnd(end);
    let stop = dataStart;
    while (stop < text.length && !/^\\\.\r?\n?$/.test(text.slice(stop, lineEnd(stop)))) stop = lineEnd(stop);
    pieces.push({ kind: 'copy', text: statement, data: text.slice(dataStart, stop), offset });
    return lineEnd(stop);
  };

  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      skipTo(text.indexOf('\n', i));
    } else if (c === '/' && next === '*') {
      // Block comments nest in PostgreSQL.
      let depth = 0;
      do {
        if (text.startsWith('/*', i)) depth++;
        else if (text.startsWith('*/', i)) depth--;
        else {
          i++;
          continue;
        }
        i += 2;
      } while (depth > 0 && i < text.length);
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '\\') {
      // psql meta-command: runs to the end of the line. Like `\g`, it ends a pending statement.
      emit(i);
      skipTo(lineEnd(i));
    } else if (c === ';') {
      i = Math.max(emit(i), i + 1);
    } else {
      if (codeStart < 0) codeStart = i;
      if (c === "'") {
        // E'…' strings take backslash escapes; with standard_conforming_strings other strings do not.
        const escapes = /[eE]/.test(text[i - 1] ?? '') && !IDENT_CHAR.test(text[i - 2] ?? '');
        i++;
        while (i < text.length) {
          if (escapes && text[i] === '\\') i += 2;
          else if (text[i] === "'" && text[i + 1] === "'") i += 2;
          else if (text[i++] === "'") break;
        }
      } else if (c === '"') {
        i = text.indexOf('"', i + 1) + 1 || text.length; // "" inside an identifier is two adjacent quoted runs
      } else if (c === '$' && !IDENT_CHAR.test(text[i - 1] ?? '')) {
        DOLLAR_TAG.lastIndex = i;
        const tag = DOLLAR_TAG.exec(text)?.[0];
        if (tag) {
          const close = text.indexOf(tag, i + tag.length);
          i = close < 0 ? text.length : close + tag.length;
        } else i++;
      } else i++;
    }
  }
  emit(text.length);
  return pieces;
}

/** Statements PostgreSQL refuses inside a transaction block: they cannot share a multi-statement batch. */
const RUN_ALONE =
  /^(?:(?:CREATE|DROP)\s+(?:DATABASE|TABLESPACE)\b|VACUUM\b|ALTER\s+SYSTEM\b|REINDEX\b.*\bCONCURRENTLY\b|CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\b)/is;
const BATCH_BYTES = 256 * 1024;

export interface LoadOptions {
  /** Statements to leave out (e.g. a script's own `CREATE DATABASE`). */
  skip?: (statement: string) => boolean;
}

/**
 * Runs a psql-style script: statements in batches through `exec`, `COPY … FROM stdin` blocks
 * through `copyIn`. Stops at the first error, which names the line it came from.
 */
export async function loadSqlScript(client: SqlClient, text: string, options: LoadOptions = {}): Promise<void> {
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  // Pending statements with their offsets in the script and in the batch text. They are joined with
  // '\n;\n', not ';', because a statement may end in a -- comment that would swallow the semicolon.
  let batch: { text: string; offset: number; at: number }[] = [];
  let batchBytes = 0;
  const run = async (offsets: { offset: number; at: number }[], work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (err) {
      // PostgreSQL reports where in the batch it failed; map that back to the statement's line.
      const position = Number((err as { cause?: { position?: string } }).cause?.position) - 1;
      const failed = offsets.findLast((s) => s.at <= position) ?? offsets[0];
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`script line ${lineOf(failed?.offset ?? 0)}: ${message}`, { cause: err });
    }
  };
  const flush = async () => {
    if (!batch.length) return;
    const pending = batch;
    batch = [];
    batchBytes = 0;
    await run(pending, () => client.exec(pending.map((s) => s.text).join('\n;\n')));
  };

  for (const piece of splitSqlScript(text)) {
    if (options.skip?.(piece.text)) continue;
    if (piece.kind === 'copy') {
      await flush();
      await run([{ offset: piece.offset, at: 0 }], async () => {
        const { stream, done } = await client.copyIn(piece.text);
        stream.end(piece.data);
        await done;
      });
    } else if (RUN_ALONE.test(piece.text)) {
      await flush();
      await run([{ offset: piece.offset, at: 0 }], () => client.exec(piece.text));
    } else {
      batch.push({ text: piece.text, offset: piece.offset, at: batchBytes });
      batchBytes += piece.text.length + 3; // joined with '\n;\n'
      if (batchBytes >= BATCH_BYTES) await flush();
    }
  }
  await flush();
}

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The shared fixtures folder (`$TDM_FIXTURES`, else `<repo>/../shared/fixtures`). */
export const FIXTURES_DIR = process.env.TDM_FIXTURES ?? join(REPO_ROOT, '..', 'shared', 'fixtures');

const FIXTURES = {
  pagila: ['pagila/pagila-schema.sql', 'pagila/pagila-data.sql'],
  chinook: ['chinook/Chinook_PostgreSql.sql'],
  sakila: ['sakila-jooq/postgres-sakila-schema.sql', 'sakila-jooq/postgres-sakila-insert-data-using-copy.sql'],
  world: ['world/world.sql'],
  edgecases: ['neosync-edgecases/create-tables.sql'],
} as const;
export type FixtureName = keyof typeof FIXTURES;

function sampleDatabasesDir(): string {
  // TDM_FIXTURES may name the fixtures folder or its sourcedb/ folder.
  const nested = join(FIXTURES_DIR, 'sourcedb');
  return existsSync(nested) ? nested : FIXTURES_DIR;
}

/** Whether the shared sample databases are present; tests skip (and say so) when they are not. */
export function fixturesAvailable(): boolean {
  return Object.values(FIXTURES).every((files) => files.every((f) => existsSync(join(sampleDatabasesDir(), f))));
}

/** Loads a shared sample database into the (empty) database behind `client`. */
export async function loadFixture(client: SqlClient, name: FixtureName): Promise<void> {
  for (const file of FIXTURES[name]) {
    const text = await readFile(join(sampleDatabasesDir(), file), 'utf8');
    // Chinook creates and connects to its own database; here the caller chose the database.
    await loadSqlScript(client, text, { skip: (s) => /^(?:DROP|CREATE)\s+DATABASE\b/i.test(s) });
  }
}
