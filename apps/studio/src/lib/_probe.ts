import { type ResultOf, SchemaVersionQuery, DiscoverSchemaMutation, graphql } from './graphql';
type T = NonNullable<ResultOf<typeof SchemaVersionQuery>['schemaVersion']>['tables'][number];
export const a: number = (null as unknown as T).rowCount;
export const b: string = (null as unknown as T).foreignKeys[0]!.target.nope;
type D = ResultOf<typeof DiscoverSchemaMutation>['discoverSchema'];
export const c: 'x' = (null as unknown as D).__typename;
export const Q = graphql(`query { schemas { bogus } }`);
