import { CATALOG_VARIABLES, DatasetCatalogQuery } from '$lib/documents/datasets';
import { firstPaint } from '$lib/server/graphql';
import type { PageServerLoad } from './$types';

// The catalog (and the dataset selected in the URL, which is one of its rows) in the first HTML.
export const load: PageServerLoad = async (event) => ({ initial: await firstPaint(event, DatasetCatalogQuery, CATALOG_VARIABLES) });
