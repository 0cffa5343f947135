/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query SourcePage {\n    source(id: \"YmFkZjUwMz\") {\n      id stableId title type\n      credibility { rating label description inheritedFrom { name } }\n      summary keyPoints\n      citedBy(first: 50) { totalCount nodes { title type quality } }\n      facts { totalCount nodes { entity { name } property { name } displayValue asOfLabel } }\n      cachedContent { preview(chars: 400) sizeKb }\n    }\n  }\n": typeof types.SourcePageDocument,
    "\n  query Timeline($entity: ID!, $property: ID!) {\n    entity(id: $entity) {\n      name\n      timeline(property: $property) { asOf displayValue }\n    }\n  }\n": typeof types.TimelineDocument,
    "\n  query EntityPage($entity: ID!) {\n    entity(id: $entity) {\n      name typeLabel description\n      completeness { typeKnown missingRequired missingRecommended }\n      relations(first: 10) { totalCount nodes { direction relationship entity { name } } }\n      records(first: 10) { totalCount nodes { collection key fields { name value } } }\n    }\n  }\n": typeof types.EntityPageDocument,
};
const documents: Documents = {
    "\n  query SourcePage {\n    source(id: \"YmFkZjUwMz\") {\n      id stableId title type\n      credibility { rating label description inheritedFrom { name } }\n      summary keyPoints\n      citedBy(first: 50) { totalCount nodes { title type quality } }\n      facts { totalCount nodes { entity { name } property { name } displayValue asOfLabel } }\n      cachedContent { preview(chars: 400) sizeKb }\n    }\n  }\n": types.SourcePageDocument,
    "\n  query Timeline($entity: ID!, $property: ID!) {\n    entity(id: $entity) {\n      name\n      timeline(property: $property) { asOf displayValue }\n    }\n  }\n": types.TimelineDocument,
    "\n  query EntityPage($entity: ID!) {\n    entity(id: $entity) {\n      name typeLabel description\n      completeness { typeKnown missingRequired missingRecommended }\n      relations(first: 10) { totalCount nodes { direction relationship entity { name } } }\n      records(first: 10) { totalCount nodes { collection key fields { name value } } }\n    }\n  }\n": types.EntityPageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SourcePage {\n    source(id: \"YmFkZjUwMz\") {\n      id stableId title type\n      credibility { rating label description inheritedFrom { name } }\n      summary keyPoints\n      citedBy(first: 50) { totalCount nodes { title type quality } }\n      facts { totalCount nodes { entity { name } property { name } displayValue asOfLabel } }\n      cachedContent { preview(chars: 400) sizeKb }\n    }\n  }\n"): (typeof documents)["\n  query SourcePage {\n    source(id: \"YmFkZjUwMz\") {\n      id stableId title type\n      credibility { rating label description inheritedFrom { name } }\n      summary keyPoints\n      citedBy(first: 50) { totalCount nodes { title type quality } }\n      facts { totalCount nodes { entity { name } property { name } displayValue asOfLabel } }\n      cachedContent { preview(chars: 400) sizeKb }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Timeline($entity: ID!, $property: ID!) {\n    entity(id: $entity) {\n      name\n      timeline(property: $property) { asOf displayValue }\n    }\n  }\n"): (typeof documents)["\n  query Timeline($entity: ID!, $property: ID!) {\n    entity(id: $entity) {\n      name\n      timeline(property: $property) { asOf displayValue }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EntityPage($entity: ID!) {\n    entity(id: $entity) {\n      name typeLabel description\n      completeness { typeKnown missingRequired missingRecommended }\n      relations(first: 10) { totalCount nodes { direction relationship entity { name } } }\n      records(first: 10) { totalCount nodes { collection key fields { name value } } }\n    }\n  }\n"): (typeof documents)["\n  query EntityPage($entity: ID!) {\n    entity(id: $entity) {\n      name typeLabel description\n      completeness { typeKnown missingRequired missingRecommended }\n      relations(first: 10) { totalCount nodes { direction relationship entity { name } } }\n      records(first: 10) { totalCount nodes { collection key fields { name value } } }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;