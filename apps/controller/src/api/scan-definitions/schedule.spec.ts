import { nextFireTimes } from './schedule.js';

describe('nextFireTimes', () => {
  it('reads the cron in its time zone, across a daylight saving change', () => {
    // 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer (DST starts 2027-03-28).
    expect(nextFireTimes('0 3 * * *', 'Europe/Berlin', 3, new Date('2027-03-26T12:00:00Z'))).toEqual([
      '2027-03-27T02:00:00.000Z',
      '2027-03-28T01:00:00.000Z',
      '2027-03-29T01:00:00.000Z',
    ]);
  });

  it('takes 6-field expressions (seconds first)', () => {
    expect(nextFireTimes('30 */15 * * * *', 'UTC', 2, new Date('2027-01-01T00:00:00Z'))).toEqual([
      '2027-01-01T00:00:30.000Z',
      '2027-01-01T00:15:30.000Z',
    ]);
  });
});
