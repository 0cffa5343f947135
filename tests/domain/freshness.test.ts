import { freshness, freshnessOf } from '../../src/domain/freshness';

describe('freshness', () => {
  it('is due everyDays after the start of the date’s period', () => {
    expect(freshness('2026-03', 90, new Date('2026-05-01T00:00:00Z'))).toEqual({
      since: '2026-03',
      everyDays: 90,
      dueAt: new Date('2026-05-30T00:00:00Z'),
      overdue: false,
      overdueDays: -29,
    });
    expect(freshness('2025', 365, new Date('2026-01-02T12:00:00Z'))).toMatchObject({
      dueAt: new Date('2026-01-01T00:00:00Z'),
      overdue: true,
      overdueDays: 1,
    });
  });

  it('is not overdue at dueAt itself, only after it', () => {
    expect(freshness('2026-02-10', 30, new Date('2026-03-12T00:00:00Z')).overdue).toBe(false);
    expect(freshness('2026-02-10', 30, new Date('2026-03-12T00:00:00.001Z')).overdue).toBe(true);
  });

  it('says nothing without both a date and a cadence', () => {
    expect(freshnessOf(null, 30, new Date())).toBeNull();
    expect(freshnessOf('2025', null, new Date())).toBeNull();
    expect(freshnessOf('2025', 30, new Date('2025-01-01T00:00:00Z'))?.overdue).toBe(false);
  });
});
