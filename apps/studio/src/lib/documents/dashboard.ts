// The dashboard's documents: one query for first paint, the same selection live over graphql-ws.
import { graphql, type ResultOf } from '../graphql';

const DashboardFields = graphql(`
  fragment DashboardFields on Dashboard @_unmask {
    datasetsReady
    rowsGenerated
    workflowsCompleted
    failedJobs
    runningJobs
    queuedJobs
    recentJobs {
      id
      rawId
      status
      operations
      createdAt
      finishedAt
      qualityScore
    }
    recentDatasets {
      id
      rawId
      name
      kind
      totalRows
      createdAt
    }
  }
`);

export const DashboardQuery = graphql(
  `
    query Dashboard {
      dashboard {
        ...DashboardFields
      }
    }
  `,
  [DashboardFields],
);

export const DashboardSubscription = graphql(
  `
    subscription DashboardLive {
      dashboard {
        ...DashboardFields
      }
    }
  `,
  [DashboardFields],
);

export type Dashboard = ResultOf<typeof DashboardFields>;
