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

export type AuditRow = ResultOf<typeof AuditLogsQuery>['auditLogs']['edges'][number]['node'];
export type Severity = AuditRow['severity'];
