import { END, START, StateGraph } from '@langchain/langgraph';
import type { ReadCatalogOptions } from '../../catalog/read-catalog.ts';
import type { ConnectionStore } from '../../store/connections.ts';
import type { SaveCatalogInput, SavedCatalog } from '../../store/schema-store.ts';
import { type RetrySettings, stepRetryPolicy } from '../retry.ts';
import type { EmitEvent } from '../../jobs/events.ts';
import { readAndStore, resolveSource } from './nodes.ts';
import { DiscoverState } from './state.ts';

export interface DiscoverDeps {
  connections: Pick<ConnectionStore, 'open' | 'displayUrl'>;
  saveCatalog: (input: SaveCatalogInput) => Promise<SavedCatalog>;
  readOptions?: ReadCatalogOptions;
  emit?: EmitEvent;
  clock: () => number;
  /** Retries of the catalog read (default 3 attempts); a workflow's step node retries instead. */
  retry?: RetrySettings;
}

/**
 * The discover step: `resolve_source → read_catalog`. Reads the requested schemas' catalog from the
 * source and stores it as a SchemaVersion; the state ends with its id and a summary.
 */
export function createDiscoverGraph(deps: DiscoverDeps) {
  return new StateGraph(DiscoverState)
    .addNode('resolve_source', resolveSource(deps))
    .addNode('read_catalog', readAndStore(deps), {
      // A refused, reset or dropped connection may pass (a server restarting); bad input and auth do not.
      retryPolicy: stepRetryPolicy(deps.retry),
    })
    .addEdge(START, 'resolve_source')
    .addEdge('resolve_source', 'read_catalog')
    .addEdge('read_catalog', END)
    .compile({ name: 'discover' });
}
