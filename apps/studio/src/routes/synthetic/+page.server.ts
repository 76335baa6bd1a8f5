import { DomainPacksQuery, SchemaVersionChoicesQuery } from '$lib/graphql';
import { firstPaint } from '$lib/server/graphql';
import { modeFromParam } from '$lib/synthetic';
import type { PageServerLoad } from './$types';

// The choices of the mode in the URL (domain packs, or schema versions) in the first HTML.
export const load: PageServerLoad = async (event) => {
  const mode = modeFromParam(event.url.searchParams.get('mode'));
  const [packs, versions] = await Promise.all([
    mode === 'DOMAIN' ? firstPaint(event, DomainPacksQuery, {}) : null,
    mode === 'SCHEMA' ? firstPaint(event, SchemaVersionChoicesQuery, {}) : null,
  ]);
  return { initial: { packs, versions } };
};
