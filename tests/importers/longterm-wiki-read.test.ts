import { coerceValue, EntityIndex } from '../../src/importers/longterm-wiki/values';
import { Anomalies, Tally } from '../../src/importers/sync/vocabulary';
import { DateTag, parseYaml, RefTag } from '../../src/importers/longterm-wiki/yaml';

/** The pure parts: YAML with the wiki's tags, and values converted to what a property expects. */

describe('YAML with the wiki tags', () => {
  it('reads !ref, !date and plain dates without turning them into timestamps', () => {
    const anomalies = new Anomalies();
    const parsed = parseYaml(
      'a: !ref mK9pX3rQ7n:anthropic\nb: !ref 1LcLlMGLbw  # openai\nc: !date 2025-11\nd: 2019-05-01\ne: 2019\nf: 1e+9\n',
      'x.yaml',
      anomalies,
    );
    const v = parsed!.value as Record<string, unknown>;
    expect(v.a).toEqual(new RefTag('mK9pX3rQ7n', 'anthropic'));
    expect(v.b).toEqual(new RefTag('1LcLlMGLbw'));
    expect(v.c).toEqual(new DateTag('2025-11'));
    expect(v.d).toBe('2019-05-01');
    expect(v.e).toBe(2019);
    expect(v.f).toBe(1e9);
    expect(anomalies.list).toEqual([]);
  });

  it('reports errors with their line and refuses the file; warnings are reported and the file is used', () => {
    const anomalies = new Anomalies();
    expect(parseYaml('a: 1\nb: 2\na: 3\n', 'things/x.yaml', anomalies)).toBeNull();
    expect(anomalies.list).toEqual([
      expect.objectContaining({ kind: 'parse-error', file: 'things/x.yaml', line: 3, message: expect.stringContaining('DUPLICATE_KEY') }),
    ]);
    const warned = new Anomalies();
    expect(parseYaml('a: !unknown x\n', 'y.yaml', warned)?.value).toEqual({ a: 'x' });
    expect(warned.list).toEqual([expect.objectContaining({ kind: 'yaml-warning', line: 1 })]);
  });
});

describe('values converted to the property dataType', () => {
  const entities = new EntityIndex();
  entities.add('mK9pX3rQ7n', { slug: 'anthropic', numericId: 'E22', aliases: ['Anthropic PBC'] });
  entities.add('1LcLlMGLbw', { slug: 'openai' });
  const ctx = () => ({
    entities,
    loc: { file: 'things/x.yaml', line: 3, at: 'f_x' },
    anomalies: new Anomalies(),
    conversions: new Tally(),
  });

  it('converts only what is unambiguous', () => {
    const c = ctx();
    expect(coerceValue([870, 2847], 'number', c)).toEqual({ ok: true, value: { low: 870, high: 2847 } });
    expect(coerceValue('1.5e9', 'number', c)).toEqual({ ok: true, value: 1.5e9 });
    expect(coerceValue(2011, 'text', c)).toEqual({ ok: true, value: '2011' });
    expect(coerceValue('yes', 'boolean', c)).toEqual({ ok: true, value: true });
    expect(c.conversions.counts).toEqual({
      'range-from-list': 1,
      'number-from-string': 1,
      'text-from-number': 1,
      'boolean-from-string': 1,
    });
    expect(coerceValue([3, 1], 'number', c).ok).toBe(false);
    expect(coerceValue('$1.5B', 'number', c).ok).toBe(false);
    expect(coerceValue([1, 2, 3], 'range', c).ok).toBe(false);
    expect(coerceValue(new RefTag('x'), 'text', c).ok).toBe(false);
  });

  it('resolves references by stable id, slug, alias or numeric id, and keeps unknown ones with an anomaly', () => {
    const c = ctx();
    expect(coerceValue(new RefTag('mK9pX3rQ7n', 'anthropic'), 'ref', c)).toEqual({ ok: true, value: 'mK9pX3rQ7n' });
    expect(coerceValue(new RefTag('nosuchid01', 'openai'), 'ref', c)).toEqual({ ok: true, value: '1LcLlMGLbw' });
    expect(coerceValue(['anthropic', 'E22', 'Anthropic PBC', 'openai', 'tom-brown'], 'refs', c)).toEqual({
      ok: true,
      value: ['mK9pX3rQ7n', '1LcLlMGLbw', 'tom-brown'],
    });
    expect(c.anomalies.list.map((a) => a.kind)).toEqual(['unknown-ref', 'duplicate-item', 'duplicate-item', 'unknown-ref']);
    expect(c.anomalies.list[0]).toMatchObject({ file: 'things/x.yaml', line: 3, at: 'f_x.value' });
  });

  it('reads a bare YAML year as a year-precision date and says so', () => {
    const c = ctx();
    expect(coerceValue(2019, 'date', c)).toEqual({ ok: true, value: '2019' });
    expect(coerceValue(new DateTag('2025-11'), 'date', c)).toEqual({ ok: true, value: '2025-11' });
    expect(c.anomalies.list.map((a) => a.kind)).toEqual(['bare-year-date']);
  });
});
