/**
 * Type predicates by `Symbol.toStringTag` rather than graphql-js's `instanceof` checks: the schema
 * may be built by the CommonJS copy of graphql (through Pothos) while this code loads the ES module
 * copy, and graphql-js refuses types "from another module or realm".
 */
import type {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNamedType,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLType,
  GraphQLUnionType,
} from 'graphql';

const tag = (t: unknown) => (t as { [Symbol.toStringTag]?: string } | null)?.[Symbol.toStringTag];

export const isNonNullType = (t: unknown): t is GraphQLNonNull<GraphQLType> => tag(t) === 'GraphQLNonNull';
export const isListType = (t: unknown): t is GraphQLList<GraphQLType> => tag(t) === 'GraphQLList';
export const isObjectType = (t: unknown): t is GraphQLObjectType => tag(t) === 'GraphQLObjectType';
export const isInputObjectType = (t: unknown): t is GraphQLInputObjectType => tag(t) === 'GraphQLInputObjectType';
export const isEnumType = (t: unknown): t is GraphQLEnumType => tag(t) === 'GraphQLEnumType';
export const isScalarType = (t: unknown) => tag(t) === 'GraphQLScalarType';
export const isLeafType = (t: unknown) => isScalarType(t) || isEnumType(t);
export const isAbstractType = (t: unknown): t is GraphQLUnionType | GraphQLInterfaceType => tag(t) === 'GraphQLUnionType' || tag(t) === 'GraphQLInterfaceType';

export function getNamedType(t: GraphQLType): GraphQLNamedType {
  let inner: GraphQLType = t;
  while (isNonNullType(inner) || isListType(inner)) inner = inner.ofType;
  return inner as GraphQLNamedType;
}
