import { asWrittenOf, writtenBack } from '../../src/importers/longterm-wiki/as-written';

describe('as written: a file spelling kept beside the store value', () => {
  const file = { id: 'a1', type: 'web', cited_by: ['b', 'a', 'ghost'] };
  const kept = { id: 'f9', type: 'blog', tags: ['x'], cited_by: ['a', 'b'] };

  it('records each key where the file and the store differ, either side possibly absent', () => {
    expect(asWrittenOf(kept, file)).toEqual({
      id: { kept: 'f9', written: 'a1' },
      type: { kept: 'blog', written: 'web' },
      tags: { kept: ['x'] },
      cited_by: { kept: ['a', 'b'], written: ['b', 'a', 'ghost'] },
    });
    expect(asWrittenOf({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBeUndefined();
    // An order is a spelling: a set written in another order is recorded.
    expect(asWrittenOf({ s: ['a', 'b'] }, { s: ['b', 'a'] })).toEqual({ s: { kept: ['a', 'b'], written: ['b', 'a'] } });
  });

  it("writes the file's spelling back while the store holds what it held, and the store's once it changed", () => {
    const asWritten = asWrittenOf(kept, file);
    expect(writtenBack(kept, asWritten, ['cited_by'])).toEqual(file);
    // The same citing pages in another order are the same set.
    expect(writtenBack({ ...kept, cited_by: ['b', 'a'] }, asWritten, ['cited_by'])).toEqual(file);
    // Changed through the API: the store's values win, key by key.
    const edited = { ...kept, type: 'paper', tags: ['y'], cited_by: ['a'] };
    expect(writtenBack(edited, asWritten, ['cited_by'])).toEqual({ id: 'a1', type: 'paper', tags: ['y'], cited_by: ['a'] });
    // Without the set key, another order is another value.
    expect(writtenBack({ ...kept, cited_by: ['b', 'a'] }, asWritten).cited_by).toEqual(['b', 'a']);
    expect(writtenBack(kept, undefined)).toBe(kept);
  });
});
