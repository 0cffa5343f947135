import { graphql } from './gql';

/**
 * The operations this program sends. `npm run codegen` reads every `graphql(...)` call under src/ and
 * writes their result and variable types to src/gql/, so `graphql(...)` below returns a typed document.
 */

/** The example page of docs/api.md: everything the source page shows, in one query. */
export const SourcePageQuery = graphql(`
  query SourcePage {
    source(id: "YmFkZjUwMz") {
      id stableId title type
      credibility { rating label description inheritedFrom { name } }
      summary keyPoints
      citedBy(first: 50) { totalCount nodes { title type quality } }
      facts { totalCount nodes { entity { name } property { name } displayValue asOfLabel } }
      cachedContent { preview(chars: 400) sizeKb }
    }
  }
`);

/** How one property of an entity changed over valid time (e.g. Anthropic's AI Safety Level). */
export const TimelineQuery = graphql(`
  query Timeline($entity: ID!, $property: ID!) {
    entity(id: $entity) {
      name
      timeline(property: $property) { asOf displayValue }
    }
  }
`);

/** An entity's page (README, "An entity page"): description, relations both ways, records and completeness. */
export const EntityPageQuery = graphql(`
  query EntityPage($entity: ID!) {
    entity(id: $entity) {
      name typeLabel description
      completeness { typeKnown missingRequired missingRecommended }
      relations(first: 10) { totalCount nodes { direction relationship entity { name } } }
      records(first: 10) { totalCount nodes { collection key fields { name value } } }
    }
  }
`);
