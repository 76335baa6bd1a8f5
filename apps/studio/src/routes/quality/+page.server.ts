import { QUALITY_DATASETS_VARIABLES, QualityDatasetsQuery, QualityReportQuery } from '$lib/documents/quality';
import { firstPaint } from '$lib/server/graphql';
import type { PageServerLoad } from './$types';

// The datasets and the report of the one in the URL (the newest without one) in the first HTML.
export const load: PageServerLoad = async (event) => {
  const wanted = event.url.searchParams.get('dataset');
  const datasets = await firstPaint(event, QualityDatasetsQuery, QUALITY_DATASETS_VARIABLES);
  const nodes = (datasets?.datasets.edges ?? []).map((e) => e.node);
  const chosen = nodes.find((d) => d.rawId === wanted) ?? nodes[0];
  const report = chosen ? await firstPaint(event, QualityReportQuery, { datasetVersionId: chosen.rawId }) : null;
  return { initial: datasets && { datasets, report } };
};
