/**
 * The tables a user names in subset options (`rootTable`, `maxRowsPerTable`, `where`): `"Other
 * Schema"."ticket"`, `public.customer` or a bare `customer` when it is unambiguous.
 */
import { qualified, type TableDef } from '../catalog/types.ts';
import { InvalidInputError } from '../errors.ts';

/** Splits `"Other Schema"."ticket"` / `public.customer` / `customer` into parts; null when not parseable as quoted parts. */
function parseQuotedName(input: string): string[] | null {
  if (!input.includes('"')) return null;
  const parts: string[] = [];
  let i = 0;
  while (i < input.length) {
    if (input[i] === '"') {
      let part = '';
      i++;
      for (;;) {
        if (i >= input.length) return null;
        if (input[i] === '"') {
          if (input[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += input[i++];
      }
      parts.push(part);
    } else {
      const dot = input.indexOf('.', i);
      const end = dot === -1 ? input.length : dot;
      parts.push(input.slice(i, end).trim());
      i = end;
    }
    if (i < input.length) {
      if (input[i] !== '.') return null;
      i++;
    }
  }
  return parts.length >= 1 && parts.length <= 2 ? parts : null;
}

export class TableResolver {
  readonly #byQualified = new Map<string, TableDef>();
  readonly #byName = new Map<string, TableDef[]>();
  readonly #planned: (t: TableDef) => TableDef;

  constructor(tables: TableDef[], planned: (t: TableDef) => TableDef) {
    this.#planned = planned;
    for (const t of tables) {
      this.#byQualified.set(qualified(t.schema, t.name), t);
      const list = this.#byName.get(t.name) ?? [];
      list.push(t);
      this.#byName.set(t.name, list);
    }
  }

  /** The planned table a user's name designates; `what` names the option in errors. */
  resolve(input: string, what: string): TableDef {
    const quoted = parseQuotedName(input);
    let found: TableDef | undefined;
    if (quoted) {
      found = quoted.length === 2 ? this.#byQualified.get(qualified(quoted[0] as string, quoted[1] as string)) : this.#unique(quoted[0] as string, input, what);
    } else {
      found = this.#byQualified.get(input) ?? this.#unique(input, input, what);
    }
    if (!found) {
      throw new InvalidInputError(`${what}: table ${JSON.stringify(input)} is not in the catalog`, { table: input, option: what });
    }
    const planned = this.#planned(found);
    if (planned !== found) {
      throw new InvalidInputError(
        `${what}: ${qualified(found.schema, found.name)} is a partition of ${qualified(planned.schema, planned.name)}; name the partitioned table (its partitions are read through it)`,
        { table: input, option: what },
      );
    }
    return found;
  }

  #unique(name: string, input: string, what: string): TableDef | undefined {
    const list = this.#byName.get(name) ?? [];
    if (list.length > 1) {
      throw new InvalidInputError(
        `${what}: table name ${JSON.stringify(input)} is ambiguous (${list.map((t) => qualified(t.schema, t.name)).join(', ')}); qualify it with its schema`,
        {
          table: input,
          option: what,
        },
      );
    }
    return list[0];
  }
}
