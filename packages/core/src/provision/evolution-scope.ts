/** What the diff of the objects beside the tables compares: the live catalog, the dataset's objects, and how far it reaches. */
import type { Catalog } from '../catalog/types.ts';
import { quoteQualified } from '../db/quote.ts';
import type { DatasetObjects } from './objects.ts';

export const q = (o: { schema: string; name: string }) => quoteQualified(o.schema, o.name);

export interface ObjectScope {
  live: Catalog;
  wanted: DatasetObjects;
  /** Live objects only the target has are dropped (the dataset owns its schemas). */
  full: boolean;
  wantedTables: Set<string>;
}
