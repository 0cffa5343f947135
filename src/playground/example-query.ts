/**
 * The example query of docs/api.md ("The example page in one query"): the playground opens with it, and the
 * typed client and the browser test run it. Keep it identical to the one in docs/api.md.
 */
export const EXAMPLE_QUERY = `query SourcePage {
  source(id: "YmFkZjUwMz") {
    id stableId title type
    credibility { rating label description inheritedFrom { name } }
    summary keyPoints
    citedBy(first: 50) { totalCount nodes { title type quality } }
    facts { totalCount nodes { entity { name } property { name } displayValue asOfLabel } }
    cachedContent { preview(chars: 400) sizeKb }
  }
}
`;

/**
 * The playground's second tab (docs/api.md, "Search"): what a reader would type, misspelt, with the
 * marked snippets and the things themselves. On the seeds and on an imported wiki alike.
 */
export const SEARCH_EXAMPLE_QUERY = `query Search {
  search(query: "Antropic", first: 5) {
    totalCount
    nodes {
      kind id title snippet score
      node { ... on Entity { name typeLabel } ... on Page { slug quality } ... on Source { url } }
    }
  }
}
`;
