/**
 * The known names nearest to one that matched nothing, nearest first: what a "did you mean" hint
 * offers. Near means a small edit distance for the name's length, or one name containing the other
 * (a typed prefix, a dropped suffix).
 */
export function closestNames(wanted: string, known: readonly string[], max = 3): string[] {
  const w = wanted.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 3));
  return known
    .map((name) => {
      const n = name.toLowerCase();
      const contains = w.length >= 3 && (n.includes(w) || w.includes(n));
      return { name, distance: contains ? Math.min(editDistance(w, n), limit) : editDistance(w, n) };
    })
    .filter((c) => c.distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((c) => c.name);
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}

/** " (did you mean "a", "b"?)", or nothing when no name is near. */
export function didYouMean(wanted: string, known: readonly string[]): string {
  const near = closestNames(wanted, known);
  return near.length ? ` (did you mean ${near.map((n) => JSON.stringify(n)).join(', ')}?)` : '';
}
