import { isoTime } from './sql';

describe('isoTime', () => {
  const viaDate = (value: string) => new Date(value).toISOString();

  it('reads PostgreSQL UTC text as Date would, truncated to the millisecond', () => {
    for (const value of [
      '2026-11-28 09:48:08.167923+00',
      '2026-11-28 09:48:08.999999+00',
      '2026-11-28 09:48:08.1+00',
      '2026-11-28 09:48:08.12+00',
      '2026-11-28 09:48:08+00',
      '0999-01-01 00:00:00+00',
      '2024-02-29 23:59:59.000001+00',
      '2026-11-28T09:48:08.167923+00:00',
      '2026-11-28T09:48:08+00:00',
    ]) {
      expect(isoTime(value)).toBe(viaDate(value));
    }
  });

  it('agrees with Date on random instants of four centuries', () => {
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(Math.random() * 4 * 3.15576e12) - 2 * 3.15576e12;
      const micros = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
      const text = `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}${micros}+00`;
      expect(isoTime(text)).toBe(viaDate(text));
    }
  });

  it('leaves other forms and Date values to Date', () => {
    expect(isoTime('2026-11-28 09:48:08.167+00:30')).toBe('2026-11-28T09:18:08.167Z');
    expect(isoTime('2026-11-28T09:48:08.167+02:00')).toBe('2026-11-28T07:48:08.167Z');
    expect(isoTime(new Date(Date.UTC(2026, 10, 28, 9, 48, 8, 167)))).toBe('2026-11-28T09:48:08.167Z');
  });
});
