/**
 * What the connected server offers beyond the core API. Some pages use fields that servers gain
 * over time (quality reports, schema fusion, schema evolution and migration scripts); they ask the
 * server's schema first and say "not available on this server" instead of failing on a query the
 * server would reject.
 */
import type { Client } from '@urql/core';
import type { IntrospectionField, IntrospectionInputValue } from 'graphql';
import { graphql } from './graphql';

export const CapabilitiesQuery = graphql(`
  query Capabilities {
    __schema {
      queryType {
        fields {
          name
        }
      }
      mutationType {
        fields {
          name
        }
      }
    }
    provisionInput: __type(name: "ProvisionDatasetInput") {
      inputFields {
        name
      }
    }
  }
`);

export interface Capabilities {
  qualityReport: boolean;
  fuseSchemas: boolean;
  schemaEvolution: boolean;
  migrationScript: boolean;
  provisionMigrate: boolean;
}

export async function loadCapabilities(client: Client): Promise<Capabilities> {
  const result = await client.query(CapabilitiesQuery, {}, { requestPolicy: 'cache-first' }).toPromise();
  if (result.error) throw result.error;
  // gql.tada leaves introspection fields untyped; graphql-js describes their shape.
  const data = result.data as unknown as {
    __schema: { queryType: { fields: Pick<IntrospectionField, 'name'>[] }; mutationType: { fields: Pick<IntrospectionField, 'name'>[] } | null };
    provisionInput: { inputFields: Pick<IntrospectionInputValue, 'name'>[] | null } | null;
  };
  const queries = new Set(data.__schema.queryType.fields.map((f) => f.name));
  const mutations = new Set(data.__schema.mutationType?.fields.map((f) => f.name) ?? []);
  const provision = new Set(data.provisionInput?.inputFields?.map((f) => f.name) ?? []);
  return {
    qualityReport: queries.has('qualityReport'),
    fuseSchemas: mutations.has('fuseSchemas'),
    schemaEvolution: queries.has('schemaEvolution'),
    migrationScript: queries.has('migrationScript'),
    provisionMigrate: provision.has('migrate'),
  };
}
