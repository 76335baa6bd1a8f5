// The audit log with its filters; the same filters drive the CSV export (/export/audit.csv).
import { graphql, type ResultOf } from '../graphql';

export const AuditLogsQuery = graphql(`
  query AuditLogs($first: Int, $after: String, $severity: Severity, $action: String, $since: DateTime, $until: DateTime) {
    auditLogs(first: $first, after: $after, severity: $severity, action: $action, since: $since, until: $until) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          at
          severity
          action
          actor
          targetKind
          targetId
          details
        }
      }
    }
    auditActions
  }
`);

export const AUDIT_PAGE_SIZE = 25;
export const SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;

/**
 * The query's variables from the page's URL (`severity`, `action`, `since`, `until`, `after`).
 * `since` and `until` are datetime-local values, times of the browser's zone: `instant` turns them
 * into instants, and only the browser can.
 */
export function auditVariables(params: URLSearchParams, instant: (local: string) => string | null) {
  const severity = params.get('severity');
  const local = (name: string) => {
    const value = params.get(name);
    return value ? instant(value) : null;
  };
  return {
    first: AUDIT_PAGE_SIZE,
    after: params.get('after') || null,
    severity: (SEVERITIES as readonly string[]).includes(severity ?? '') ? (severity as Severity) : null,
    action: params.get('action') || null,
    since: local('since'),
    until: local('until'),
  };
}

export type AuditRow = ResultOf<typeof AuditLogsQuery>['auditLogs']['edges'][number]['node'];
export type Severity = AuditRow['severity'];
