import { FusionSourcesQuery } from '$lib/documents/schema-fusion';
import { firstPaint } from '$lib/server/graphql';
import type { PageServerLoad } from './$types';

// The schema versions and domain packs to fuse, so the form is complete in the first HTML.
export const load: PageServerLoad = async (event) => ({ initial: await firstPaint(event, FusionSourcesQuery, {}) });
