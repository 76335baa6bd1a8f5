/**
 * Positions a lineage graph for drawing: dagre (a layered layout, left to right in the order data
 * flows) does the layout; this module only turns the API's nodes and edges into its input and its
 * output into what the SVG draws, and names the studio page each node links to.
 */
import dagre from '@dagrejs/dagre';
import type { LineageGraph, LineageKind } from './documents/lineage';

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 56;

export interface PlacedNode {
  id: string;
  kind: LineageKind;
  label: string;
  refId: string;
  x: number;
  y: number;
  href: string;
  /** e.g. "quality 87": shown under the label. */
  note: string | null;
}

export interface PlacedEdge {
  id: string;
  operation: string;
  fallbacks: string[];
  points: { x: number; y: number }[];
  labelAt: { x: number; y: number };
}

export interface Placed {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const KIND_LABEL: Record<LineageKind, string> = {
  TEST_CASE: 'test case',
  JOB: 'job',
  SCHEMA_VERSION: 'schema version',
  DATASET_VERSION: 'dataset version',
  TABLE: 'provisioned table',
  ENVIRONMENT: 'environment',
  UNIFIED_SCHEMA: 'unified schema',
};

export const kindLabel = (kind: LineageKind) => KIND_LABEL[kind];

/** The page that shows a node: its job, dataset, schema version, environment, or its own lineage. */
export function nodeHref(kind: LineageKind, refId: string): string {
  const id = encodeURIComponent(refId);
  switch (kind) {
    case 'JOB':
      return `/workflows?job=${id}`;
    case 'DATASET_VERSION':
      return `/datasets?selected=${id}`;
    case 'SCHEMA_VERSION':
      return `/schemas/${id}`;
    case 'ENVIRONMENT':
      return `/environments?env=${id}`;
    case 'UNIFIED_SCHEMA':
      return `/schema-fusion?id=${id}`;
    default:
      return `/lineage?kind=${kind}&id=${id}`;
  }
}

export function placeLineage(graph: LineageGraph, notes: Record<string, string> = {}): Placed {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 70, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  const known = new Set(graph.nodes.map((n) => n.id));
  const edges = graph.edges.filter((e) => known.has(e.from) && known.has(e.to) && e.from !== e.to);
  for (const e of edges) g.setEdge(e.from, e.to, { width: 60, height: 14, labelpos: 'c' }, e.id);
  dagre.layout(g);
  const label = g.graph();
  return {
    width: Math.ceil(label.width ?? 0),
    height: Math.ceil(label.height ?? 0),
    nodes: graph.nodes.map((n) => {
      const p = g.node(n.id);
      return { ...n, x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2, href: nodeHref(n.kind, n.refId), note: notes[n.id] ?? null };
    }),
    edges: edges.map((e) => {
      const p = g.edge({ v: e.from, w: e.to, name: e.id });
      const points = p.points ?? [];
      const mid = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
      return { id: e.id, operation: e.operation, fallbacks: e.fallbacks, points, labelAt: { x: p.x ?? mid.x, y: p.y ?? mid.y } };
    }),
  };
}
