import { EnvironmentDetailsQuery } from '$lib/documents/environments';
import { firstPaint } from '$lib/server/graphql';
import type { PageServerLoad } from './$types';

// The environments with their provisioned tables (the one chosen in the URL among them) in the first HTML.
export const load: PageServerLoad = async (event) => ({ initial: await firstPaint(event, EnvironmentDetailsQuery, {}) });
