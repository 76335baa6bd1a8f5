import { graphql, type ResultOf } from '../graphql.ts';
import type { TdmClient } from '../client.ts';

const LineageFields = graphql(`
  fragment LineageFields on LineageGraph @_unmask {
    nodes { id kind refId label qualityScore }
    edges { id from to operation jobId configHash fallbacks createdAt }
  }
`);
const JobLineage = graphql(`query JobLineage($id: ID!) { job(id: $id) { lineage { ...LineageFields } } }`, [LineageFields]);
const NodeLineage = graphql(`query Lineage($kind: LineageKind!, $id: ID!, $depth: Int) { lineage(kind: $kind, id: $id, depth: $depth) { ...LineageFields } }`, [
  LineageFields,
]);

export type LineageGraph = ResultOf<typeof LineageFields>;
export type LineageKind = LineageGraph['nodes'][number]['kind'];

/** The lineage graph: test case → job → schema version → dataset versions → provisioned tables. */
export class LineageResource {
  constructor(private readonly client: TdmClient) {}

  /** Everything linked to a job, in both directions. */
  async forJob(jobId: string): Promise<LineageGraph> {
    const data = await this.client.request(JobLineage, { id: jobId });
    return data.job?.lineage ?? { nodes: [], edges: [] };
  }

  /** The graph around any node (`kind` + its raw id). */
  async around(kind: LineageKind, id: string, depth = 6): Promise<LineageGraph> {
    const data = await this.client.request(NodeLineage, { kind, id, depth });
    return data.lineage;
  }
}
