import { fail, redirect } from '@sveltejs/kit';
import { CreateEnvironmentMutation, EnvironmentDetailsQuery } from '$lib/documents/environments';
import { callApi, firstPaint } from '$lib/server/graphql';
import { requestError, toTypedError } from '$lib/typed-error';
import type { Actions, PageServerLoad } from './$types';

// The environments with their provisioned tables (the one chosen in the URL among them) in the first HTML.
export const load: PageServerLoad = async (event) => ({ initial: await firstPaint(event, EnvironmentDetailsQuery, {}) });

// "Register environment" without script: on success the new environment's page.
export const actions: Actions = {
  register: async ({ request, fetch, url }) => {
    const form = await request.formData();
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const values = { name: text('name'), connectionString: text('connectionString'), description: text('description'), allowReset: form.has('allowReset') };
    const { data, error } = await callApi(fetch, CreateEnvironmentMutation, { input: { ...values, description: values.description || undefined } });
    const out = data?.createEnvironment;
    if (out?.__typename === 'MutationCreateEnvironmentSuccess') redirect(303, `${url.pathname}?env=${encodeURIComponent(out.data.name)}`);
    // The form comes back as sent, but never with a password in the page's HTML.
    return fail(400, {
      values: { ...values, connectionString: withoutPassword(values.connectionString) },
      error: out && 'code' in out ? toTypedError(out) : requestError(error),
    });
  },
};

/** The connection string without its password (user info or `password=` parameters); unparsable text with `@` is dropped. */
function withoutPassword(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return /[@=]/.test(text) ? '' : text;
  }
  url.password = '';
  for (const key of [...url.searchParams.keys()]) if (/^(ssl)?password$/i.test(key)) url.searchParams.delete(key);
  return url.toString();
}
