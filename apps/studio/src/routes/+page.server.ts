import { DashboardQuery } from '$lib/documents/dashboard';
import { firstPaint } from '$lib/server/graphql';
import type { PageServerLoad } from './$types';

// The dashboard's numbers in the first HTML; the page then goes live over graphql-ws.
export const load: PageServerLoad = async (event) => ({ initial: await firstPaint(event, DashboardQuery, {}) });
