import { createUnionType, Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { SearchKind as StoredSearchKind } from '../../projections/read-models/search-documents';
import { Connection } from '../connection';
import type { Pins } from '../pins';
import { Entity } from './entity';
import { Fact } from './fact';
import { Page } from './page';
import { EntityRecord } from './record';
import { Source } from './source';

export enum SearchKind {
  ENTITY = 'entity',
  SOURCE = 'source',
  PAGE = 'page',
  FACT = 'fact',
  RECORD = 'record',
}
registerEnumType(SearchKind, { name: 'SearchKind', description: 'What a search result is.' });

/** The GraphQL type each kind's node has: a node carries its name, which `resolveType` reads. */
export const NODE_TYPENAME: Record<StoredSearchKind, string> = {
  entity: 'Entity',
  source: 'Source',
  page: 'Page',
  fact: 'Fact',
  record: 'EntityRecord',
};

export const SearchNode = createUnionType({
  name: 'SearchNode',
  description: 'The thing a search result stands for, as its own query returns it.',
  types: () => [Entity, Source, Page, Fact, EntityRecord] as const,
  resolveType: (v) => (v as unknown as { __typename: string }).__typename,
});

@ObjectType({ description: 'A thing found by `search`, with the words it matched marked in its snippet (docs/api.md, "Search").' })
export class SearchResult {
  @Field(() => SearchKind) kind!: SearchKind;
  @Field(() => ID, { description: 'The id its kind’s own query takes: entity(id), source(id), page(slug), fact(id); a record’s id.' })
  id!: string;
  @Field() title!: string;
  @Field({ description: 'Text around the matches, each matched word marked «like this».' }) snippet!: string;
  @Field(() => Float, {
    description:
      'Higher first: an exact name (100 for an entity, 50 otherwise), + up to 20 (entity) or 10 for a name the query begins, + 10 for a title match, + full-text rank and trigram similarity (each below 1).',
  })
  score!: number;
  /** The pins the node is read at (not a field). */
  pins!: Pins;
}

@ObjectType()
export class SearchConnection extends Connection(SearchResult) {
  @Field({
    description:
      'False when more things match than a search counts (1,000): `totalCount` is then that many, a lower bound, and only the best-placed candidates are ranked (docs/api.md, "Search").',
  })
  totalCountExact!: boolean;
}
