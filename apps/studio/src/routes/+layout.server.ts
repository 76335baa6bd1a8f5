import { dev } from '$app/environment';
import { env as privateEnv } from '$env/dynamic/private';
import { env as publicEnv } from '$env/dynamic/public';
import { resolveApiUrl } from '$lib/server/api-url';
import type { LayoutServerLoad } from './$types';

// Read at request time (not build time), so one build can point at any API.
export const load: LayoutServerLoad = () => ({
  apiUrl: resolveApiUrl({
    explicit: publicEnv.PUBLIC_TDM_API_URL,
    apiPort: privateEnv.API_PORT,
    dev,
  }),
});
