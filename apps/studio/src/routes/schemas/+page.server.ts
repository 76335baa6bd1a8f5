import { SchemasQuery, schemasVariables } from '$lib/graphql';
import { firstPaint } from '$lib/server/graphql';
import type { PageServerLoad } from './$types';

// The page of discovered schemas in the URL (`after`) in the first HTML.
export const load: PageServerLoad = async (event) => ({
  initial: await firstPaint(event, SchemasQuery, schemasVariables(event.url.searchParams.get('after'))),
});
