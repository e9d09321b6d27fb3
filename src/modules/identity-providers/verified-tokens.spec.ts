import { VERIFIED_FOR_MS, VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens', () => {
  let now = 1_800_000_000_000;
  const tokens = () => new VerifiedTokens(() => now);
  const who = { issuer: 'https://idp.example', subject: 'person-1' };

  beforeEach(() => {
    now = 1_800_000_000_000;
  });

  it('finds only the exact token it verified', () => {
    const cache = tokens();
    cache.remember('a.b.c', who, now / 1000 + 3600);
    expect(cache.find('a.b.c')).toEqual(who);
    expect(cache.find('a.b.d')).toBeUndefined();
    expect(cache.find('a.b.c ')).toBeUndefined();
  });

  it("forgets a token at its exp, even when that comes before the trust window's end", () => {
    const cache = tokens();
    cache.remember('a.b.c', who, now / 1000 + 60);
    now += 59_999;
    expect(cache.find('a.b.c')).toEqual(who);
    now += 1;
    expect(cache.find('a.b.c')).toBeUndefined();
  });

  it('checks a long-lived token again after the trust window, so a withdrawn key stops working', () => {
    const cache = tokens();
    cache.remember('a.b.c', who, now / 1000 + 24 * 3600);
    now += VERIFIED_FOR_MS;
    expect(cache.find('a.b.c')).toBeUndefined();
  });

  it('does not keep a token already expired', () => {
    const cache = tokens();
    cache.remember('a.b.c', who, now / 1000 - 1);
    expect(cache.size).toBe(0);
  });

  it('stays bounded, dropping the oldest first', () => {
    const cache = tokens();
    for (let i = 0; i < 10_001; i++) cache.remember(`t${i}`, who, now / 1000 + 3600);
    expect(cache.size).toBe(10_000);
    expect(cache.find('t0')).toBeUndefined();
    expect(cache.find('t10000')).toEqual(who);
  });
});
