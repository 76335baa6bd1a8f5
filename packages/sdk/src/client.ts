import type { TadaDocumentNode } from 'gql.tada';
import { print } from 'graphql';
import { domainError, type ErrorCode, TdmGraphQLError, TdmNetworkError, type GraphQLErrorEntry } from './errors.ts';
import { ConnectionsResource } from './resources/connections.ts';
import { DatasetsResource } from './resources/datasets.ts';
import { EnvironmentsResource } from './resources/environments.ts';
import { JobsResource } from './resources/jobs.ts';
import { LineageResource } from './resources/lineage.ts';
import { PiiResource } from './resources/pii.ts';
import { QualityResource } from './resources/quality.ts';
import { SchemasResource } from './resources/schemas.ts';
import { DomainPacksResource, SyntheticResource, TestCasesResource } from './resources/synthetic.ts';
import { WorkflowsResource } from './resources/workflows.ts';

export interface TdmClientOptions {
  /** The GraphQL endpoint, e.g. `http://localhost:8003/graphql`. */
  url: string;
  /** API token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** Per-request timeout in milliseconds (default 120 000). */
  timeoutMs?: number;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

/**
 * The TDM client. Methods are grouped by resource (`tdm.schemas.discover`, `tdm.connections.list`);
 * every result is typed from the server's schema, and every failure is a `TdmError`.
 *
 * ```ts
 * const tdm = new TdmClient({ url: 'http://localhost:8003/graphql' });
 * const version = await tdm.schemas.discover({ connectionString: process.env.SOURCE_URL, schemas: ['public'] });
 * ```
 */
export class TdmClient {
  readonly schemas: SchemasResource;
  readonly connections: ConnectionsResource;
  readonly workflows: WorkflowsResource;
  readonly jobs: JobsResource;
  readonly lineage: LineageResource;
  readonly datasets: DatasetsResource;
  readonly environments: EnvironmentsResource;
  readonly pii: PiiResource;
  readonly synthetic: SyntheticResource;
  readonly testCases: TestCasesResource;
  readonly domainPacks: DomainPacksResource;
  readonly quality: QualityResource;
  readonly #options: TdmClientOptions;

  constructor(options: TdmClientOptions) {
    if (!options?.url) throw new TypeError('TdmClient needs { url }');
    this.#options = options;
    this.schemas = new SchemasResource(this);
    this.connections = new ConnectionsResource(this);
    this.workflows = new WorkflowsResource(this);
    this.jobs = new JobsResource(this, { url: options.url, token: options.token });
    this.lineage = new LineageResource(this);
    this.datasets = new DatasetsResource(this);
    this.environments = new EnvironmentsResource(this);
    this.pii = new PiiResource(this);
    this.synthetic = new SyntheticResource(this);
    this.testCases = new TestCasesResource(this);
    this.domainPacks = new DomainPacksResource(this);
    this.quality = new QualityResource(this);
  }

  /** Closes open WebSockets (job log streams). */
  async close(): Promise<void> {
    await this.jobs.close();
  }

  /**
   * GETs a path of the server's REST API (`/api/v1/…`, beside the GraphQL endpoint) and returns the
   * response body as a stream; a typed error of the API is thrown as the SDK's error.
   */
  async download(path: string): Promise<ReadableStream<Uint8Array>> {
    const { url, token, headers, timeoutMs = 120_000 } = this.#options;
    const doFetch = this.#options.fetch ?? fetch;
    const target = new URL(`api/v1/${path.replace(/^\//, '')}`, new URL('.', url.replace(/\/graphql\/?$/, '/')));
    let response: Response;
    try {
      response = await doFetch(target, {
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new TdmNetworkError(`cannot reach the TDM API at ${url}: ${(cause as Error)?.message ?? cause}`, undefined, { cause });
    }
    if (response.ok && response.body) return response.body;
    const body = (await response.json().catch(() => null)) as { error?: { code?: ErrorCode; message?: string; type?: string } } | null;
    if (body?.error?.code && body.error.message) {
      throw domainError({ __typename: body.error.type ?? 'BaseError', code: body.error.code, message: body.error.message });
    }
    throw new TdmNetworkError(`the TDM API at ${url} answered ${response.status} for ${target.pathname}`, response.status);
  }

  /** Runs any GraphQL operation (typed with the SDK's `graphql()`); throws on transport or GraphQL errors. */
  async request<R, V>(document: TadaDocumentNode<R, V>, variables?: V): Promise<R> {
    const { url, token, headers, timeoutMs = 120_000 } = this.#options;
    const doFetch = this.#options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new TdmNetworkError(`cannot reach the TDM API at ${url}: ${(cause as Error)?.message ?? cause}`, undefined, { cause });
    }
    let body: { data?: R | null; errors?: GraphQLErrorEntry[] };
    try {
      body = (await response.json()) as typeof body;
    } catch (cause) {
      throw new TdmNetworkError(`the TDM API at ${url} answered ${response.status} without a GraphQL response`, response.status, { cause });
    }
    if (body.errors?.length) throw new TdmGraphQLError(body.errors, body.data ?? null);
    if (!response.ok || body.data === undefined || body.data === null) {
      throw new TdmNetworkError(`the TDM API at ${url} answered ${response.status}`, response.status);
    }
    return body.data;
  }
}
