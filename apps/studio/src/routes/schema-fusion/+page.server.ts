import { fail } from '@sveltejs/kit';
import { FuseSchemasMutation, FusionSourcesQuery } from '$lib/documents/schema-fusion';
import { callApi, firstPaint } from '$lib/server/graphql';
import { requestError, toTypedError } from '$lib/typed-error';
import type { Actions, PageServerLoad } from './$types';

// The schema versions and domain packs to fuse, so the form is complete in the first HTML.
export const load: PageServerLoad = async (event) => ({ initial: await firstPaint(event, FusionSourcesQuery, {}) });

// "Run fusion" without script: the page comes back with the sources as sent and the unified schema.
export const actions: Actions = {
  fuse: async ({ request, fetch }) => {
    const form = await request.formData();
    const text = (name: string) => String(form.get(name) ?? '');
    const values = {
      schemaVersionId: text('schemaVersionId'),
      testCaseContent: text('testCaseContent'),
      urls: text('urls'),
      openApiSpec: text('openApiSpec'),
      domain: text('domain'),
    };
    const urls = values.urls
      .split('\n')
      .map((u) => u.trim())
      .filter(Boolean);
    const input = {
      schemaVersionId: values.schemaVersionId || undefined,
      testCaseContent: values.testCaseContent.trim() || undefined,
      urls: urls.length ? urls : undefined,
      openApiSpec: values.openApiSpec.trim() || undefined,
      domain: values.domain || undefined,
    };
    const { data, error } = await callApi(fetch, FuseSchemasMutation, { input });
    const outcome = data?.fuseSchemas;
    if (outcome?.__typename === 'MutationFuseSchemasSuccess') return { values, result: outcome.data };
    return fail(400, { values, error: outcome && 'code' in outcome ? toTypedError(outcome) : requestError(error) });
  },
};
