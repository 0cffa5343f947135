import { closestNames, didYouMean } from '../../src/domain/closest';

const PROPERTIES = ['revenue', 'revenue-growth', 'employees', 'safety-level', 'valuation', 'founded'];

it('offers the nearest known names for a misspelling, nearest first', () => {
  expect(closestNames('revenu', PROPERTIES)).toEqual(['revenue', 'revenue-growth']);
  expect(closestNames('safety-levl', PROPERTIES)).toEqual(['safety-level']);
  expect(closestNames('EMPLOYES', PROPERTIES)).toEqual(['employees']);
});

it('offers nothing when no name is near, or for a name longer than anyone types', () => {
  expect(closestNames('headquarters', PROPERTIES)).toEqual([]);
  expect(closestNames('x'.repeat(100_000), ['x'.repeat(100_000 - 1)])).toEqual([]);
  expect(didYouMean('headquarters', PROPERTIES)).toBe('');
  expect(didYouMean('valuaton', PROPERTIES)).toBe(' (did you mean "valuation"?)');
});
