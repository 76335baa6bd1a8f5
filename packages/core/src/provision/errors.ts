/**
 * Typed failures of provisioning that carry more than a message: the evolution report of a target
 * whose schema differs from the dataset's, and an extension the target cannot install.
 */
import { TdmError } from '../errors.ts';
import type { SchemaChange, SchemaEvolution } from './evolution-types.ts';

/** The public part of an evolution: what a person or a client reads (no statements, no ordering). */
export interface EvolutionReport {
  compatible: boolean;
  destructive: boolean;
  changes: SchemaChange[];
}

export function evolutionReport(evolution: SchemaEvolution): EvolutionReport {
  return {
    compatible: evolution.compatible,
    destructive: evolution.destructive,
    changes: evolution.changes.map(({ kind, schema, table, name, detail, destructive }) => ({ kind, schema, table, name, detail, destructive })),
  };
}

const summary = (changes: SchemaChange[]) =>
  changes
    .slice(0, 8)
    .map((c) => `${c.kind} ${[c.schema, c.table, c.table === c.name ? null : c.name].filter((x) => x !== null).join('.')}`)
    .join(', ') + (changes.length > 8 ? ` and ${changes.length - 8} more` : '');

/**
 * The target holds objects of the dataset and provisioning may not replace them as asked: without
 * `resetEnv` or `migrate`, or with `migrate` when a change is destructive and `allowDestructive` is
 * off. `details.evolution` says exactly what differs; `details.tables` names the dataset's tables
 * already there and `details.objects` every colliding object.
 */
export class SchemaConflictError extends TdmError {
  readonly evolution: EvolutionReport;
  constructor(reason: 'EXISTS' | 'DESTRUCTIVE', evolution: EvolutionReport, collisions: { tables: string[]; objects: string[] }) {
    const destructive = evolution.changes.filter((c) => c.destructive);
    const message =
      reason === 'DESTRUCTIVE'
        ? `the migration would be destructive (${summary(destructive)}); provision with allowDestructive to apply it`
        : `the target already holds ${collisions.objects.slice(0, 12).join(', ')}${collisions.objects.length > 12 ? ` and ${collisions.objects.length - 12} more of the dataset's objects` : ''}; ${
            evolution.changes.length
              ? `its schema differs from the dataset's in ${evolution.changes.length} ways (${summary(evolution.changes)})`
              : "its schema equals the dataset's"
          }; provision with migrate to bring it over and replace the rows, or with resetEnv to recreate it`;
    super('CONFLICT', message, { details: { ...collisions, reason, evolution } });
    this.evolution = evolution;
  }
}

/** An extension the dataset's schema uses cannot be created in the target (not installed there, or not allowed). */
export class ExtensionUnavailableError extends TdmError {
  readonly extension: string;
  constructor(extension: string, cause: unknown) {
    super('QUERY_FAILED', `extension ${extension} is not available in the target: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
      details: { extension },
    });
    this.extension = extension;
  }
}
