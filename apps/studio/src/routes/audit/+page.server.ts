import { AuditLogsQuery, auditVariables } from '$lib/documents/audit';
import { firstPaint } from '$lib/server/graphql';
import type { PageServerLoad } from './$types';

// The filtered page of events in the first HTML. A time range is in the browser's time zone, which
// the server does not know: with one, the browser loads the rows.
export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  // A GET form without script sends the empty fields too (`since=&until=`): those are no range.
  const local = Boolean(params.get('since') || params.get('until'));
  const variables = auditVariables(params, () => null);
  return { initial: local ? null : await firstPaint(event, AuditLogsQuery, variables) };
};
