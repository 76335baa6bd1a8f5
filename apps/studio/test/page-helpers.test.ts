// The pure parts of the new pages: lineage layout and links, API URLs for sockets and downloads,
// byte sizes.
import { describe, expect, it } from 'vitest';
import { exportUrl, websocketUrl } from '../src/lib/client';
import { formatBytes } from '../src/lib/format';
import { NODE_HEIGHT, NODE_WIDTH, nodeHref, placeLineage } from '../src/lib/lineage-layout';

const graph = {
  nodes: [
    { id: 'TEST_CASE:t1', kind: 'TEST_CASE' as const, label: 'sign-up.feature', refId: 't1' },
    { id: 'JOB:j1', kind: 'JOB' as const, label: 'job synthetic', refId: 'j1' },
    { id: 'SCHEMA_VERSION:s1', kind: 'SCHEMA_VERSION' as const, label: 'shop v1', refId: 's1' },
    { id: 'DATASET_VERSION:d1', kind: 'DATASET_VERSION' as const, label: 'shop data', refId: 'd1' },
    { id: 'TABLE:x1', kind: 'TABLE' as const, label: 'qa public.customer', refId: 'x1' },
  ],
  edges: [
    { id: 'e1', from: 'TEST_CASE:t1', to: 'JOB:j1', operation: 'request', fallbacks: [], jobId: 'j1' },
    { id: 'e2', from: 'JOB:j1', to: 'DATASET_VERSION:d1', operation: 'synthetic', fallbacks: ['SCHEMA'], jobId: 'j1' },
    { id: 'e3', from: 'SCHEMA_VERSION:s1', to: 'DATASET_VERSION:d1', operation: 'synthetic', fallbacks: [], jobId: 'j1' },
    { id: 'e4', from: 'DATASET_VERSION:d1', to: 'TABLE:x1', operation: 'provision', fallbacks: [], jobId: 'j1' },
    { id: 'e5', from: 'JOB:j1', to: 'ENVIRONMENT:gone', operation: 'provision', fallbacks: [], jobId: 'j1' },
  ],
};

describe('placeLineage', () => {
  const placed = placeLineage(graph, { 'JOB:j1': 'quality 91' });
  const at = (id: string) => placed.nodes.find((n) => n.id === id);

  it('places data flow left to right: test case → job → dataset → provisioned table', () => {
    const x = (id: string) => at(id)?.x ?? Number.NaN;
    expect(x('TEST_CASE:t1')).toBeLessThan(x('JOB:j1'));
    expect(x('JOB:j1')).toBeLessThan(x('DATASET_VERSION:d1'));
    expect(x('DATASET_VERSION:d1')).toBeLessThan(x('TABLE:x1'));
  });

  it('keeps every box inside the drawing and no two boxes overlapping', () => {
    for (const n of placed.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.y).toBeGreaterThanOrEqual(0);
      expect(n.x + NODE_WIDTH).toBeLessThanOrEqual(placed.width);
      expect(n.y + NODE_HEIGHT).toBeLessThanOrEqual(placed.height);
    }
    for (const a of placed.nodes)
      for (const b of placed.nodes) {
        if (a === b) continue;
        const apart = a.x + NODE_WIDTH <= b.x || b.x + NODE_WIDTH <= a.x || a.y + NODE_HEIGHT <= b.y || b.y + NODE_HEIGHT <= a.y;
        expect(apart, `${a.id} / ${b.id}`).toBe(true);
      }
  });

  it('drops edges to nodes the graph does not have, keeps fallbacks and notes', () => {
    expect(placed.edges.map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(placed.edges.find((e) => e.id === 'e2')?.fallbacks).toEqual(['SCHEMA']);
    expect(placed.edges.every((e) => e.points.length >= 2)).toBe(true);
    expect(at('JOB:j1')?.note).toBe('quality 91');
    expect(at('TABLE:x1')?.note).toBeNull();
  });

  it('links each node to the page that shows it', () => {
    expect(nodeHref('JOB', 'j 1')).toBe('/workflows?job=j%201');
    expect(nodeHref('DATASET_VERSION', 'd1')).toBe('/datasets?selected=d1');
    expect(nodeHref('SCHEMA_VERSION', 's1')).toBe('/schemas/s1');
    expect(nodeHref('ENVIRONMENT', 'e1')).toBe('/environments?env=e1');
    expect(nodeHref('TEST_CASE', 't1')).toBe('/lineage?kind=TEST_CASE&id=t1');
    expect(nodeHref('UNIFIED_SCHEMA', 'u1')).toBe('/schema-fusion?id=u1');
  });

  it('draws nothing for an empty graph', () => {
    expect(placeLineage({ nodes: [], edges: [] })).toMatchObject({ nodes: [], edges: [] });
  });
});

describe('API URLs', () => {
  it.each([
    ['/graphql', 'http://127.0.0.1:5173', 'ws://127.0.0.1:5173/graphql'],
    ['/graphql', 'https://studio.example', 'wss://studio.example/graphql'],
    ['http://127.0.0.1:8003/graphql', 'http://localhost:5173', 'ws://127.0.0.1:8003/graphql'],
    ['https://api.example/graphql', 'http://localhost:5173', 'wss://api.example/graphql'],
  ])('the socket of %s from %s is %s', (api, origin, ws) => {
    expect(websocketUrl(api, origin)).toBe(ws);
  });

  it('puts downloads beside the GraphQL endpoint, with only the filters that are set', () => {
    expect(exportUrl('/graphql', 'datasets.csv')).toBe('/export/datasets.csv');
    expect(exportUrl('http://127.0.0.1:8003/graphql', 'audit.csv', { severity: 'CRITICAL', action: null, since: '' })).toBe(
      'http://127.0.0.1:8003/export/audit.csv?severity=CRITICAL',
    );
    expect(exportUrl('/graphql', 'audit.csv', { action: 'a b&c' })).toBe('/export/audit.csv?action=a+b%26c');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KB'],
    [5 * 1024 * 1024, '5.0 MB'],
    [3 * 1024 ** 4, '3.0 TB'],
  ])('%d → %s', (n, text) => expect(formatBytes(n)).toBe(text));
});
