import { type EnvironmentEvolution, type EnvironmentMigration, environmentEvolution, environmentMigration } from '@tdm/core/provision/environment-evolution';
import { builder } from '../builder.ts';
import { rawId } from './catalog.ts';
import { SchemaChangeRef } from './errors.ts';

const SchemaEvolutionRef = builder.objectRef<EnvironmentEvolution>('SchemaEvolution').implement({
  description: "An environment's live schema compared with a dataset version's schema",
  fields: (t) => ({
    environment: t.exposeString('environment'),
    environmentId: t.exposeString('environmentId'),
    datasetVersionId: t.exposeString('datasetVersionId'),
    changes: t.field({ type: [SchemaChangeRef], resolve: (r) => r.changes }),
    compatible: t.exposeBoolean('compatible', { description: "The dataset's rows can be loaded into the environment without a migration" }),
    destructive: t.exposeBoolean('destructive', { description: 'Some change is destructive' }),
  }),
});

const MigrationScriptRef = builder.objectRef<EnvironmentMigration>('MigrationScript').implement({
  description: "SQL that makes an environment's schema equal a dataset version's schema (psql -v ON_ERROR_STOP=1 -f)",
  fields: (t) => ({
    environment: t.exposeString('environment'),
    datasetVersionId: t.exposeString('datasetVersionId'),
    sql: t.exposeString('sql', { description: 'Ordered statements in one transaction; destructive ones marked with a comment' }),
    destructive: t.exposeBoolean('destructive'),
    statements: t.exposeInt('statements'),
    changes: t.field({ type: [SchemaChangeRef], resolve: (r) => r.changes }),
  }),
});

builder.queryFields((t) => ({
  schemaEvolution: t.field({
    type: SchemaEvolutionRef,
    description: "Compares an environment's live schema (by name or id) with a dataset version's schema",
    args: { environment: t.arg.string({ required: true }), datasetVersionId: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const out = await environmentEvolution(ctx.tdm, {
        environment: rawId(args.environment, 'Environment') as string,
        datasetVersionId: rawId(args.datasetVersionId, 'DatasetVersion') as string,
      });
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'schemaEvolution',
        targetKind: 'ENVIRONMENT',
        targetId: out.environmentId,
        details: { datasetVersionId: out.datasetVersionId, changes: out.changes.length, compatible: out.compatible, destructive: out.destructive },
      });
      return out;
    },
  }),
  migrationScript: t.field({
    type: MigrationScriptRef,
    description: "The migration script from an environment's live schema to a dataset version's schema",
    args: { environment: t.arg.string({ required: true }), datasetVersionId: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const out = await environmentMigration(ctx.tdm, {
        environment: rawId(args.environment, 'Environment') as string,
        datasetVersionId: rawId(args.datasetVersionId, 'DatasetVersion') as string,
      });
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'migrationScript',
        targetKind: 'ENVIRONMENT',
        targetId: out.environmentId,
        severity: out.destructive ? 'WARNING' : 'INFO',
        details: { datasetVersionId: out.datasetVersionId, statements: out.statements, destructive: out.destructive },
      });
      return out;
    },
  }),
}));
