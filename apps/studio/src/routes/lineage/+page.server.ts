import { LineageQuery, LineageStartsQuery, lineageStart } from '$lib/documents/lineage';
import { firstPaint } from '$lib/server/graphql';
import type { PageServerLoad } from './$types';

// The search's choices and the graph around the node in the URL (or the newest job) in the first HTML.
export const load: PageServerLoad = async (event) => {
  const starts = await firstPaint(event, LineageStartsQuery, {});
  const start = lineageStart(event.url.searchParams, starts);
  const graph = starts && start ? await firstPaint(event, LineageQuery, start) : null;
  return { initial: starts && { starts, graph } };
};
