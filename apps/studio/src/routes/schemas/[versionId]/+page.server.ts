import { SchemaVersionQuery } from '$lib/graphql';
import { firstPaint } from '$lib/server/graphql';
import type { PageServerLoad } from './$types';

// The version and its tables in the first HTML.
export const load: PageServerLoad = async (event) => ({ initial: await firstPaint(event, SchemaVersionQuery, { id: event.params.versionId }) });
