import { BearerAuthenticator, BearerAuthenticators } from './bearer-authenticators';
import { BearerToken } from './bearer-token';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwtOf = (iss: string) => `${b64({ alg: 'HS256' })}.${b64({ iss, sub: 'someone' })}.signature`;

/** Claims the tokens of one issuer and, like a verifier, reads the decoded token again. */
const byIssuer = (issuer: string): BearerAuthenticator => ({
  claims: (token: BearerToken) => token.issuer === issuer,
  authenticate: (token: BearerToken) =>
    token.jwt ? { scheme: issuer, callerSql: 'select 1', params: [token.issuer] } : undefined,
});

describe(BearerAuthenticators.name, () => {
  let sut: BearerAuthenticators;

  beforeEach(() => {
    sut = new BearerAuthenticators();
    for (const issuer of ['first', 'second', 'third']) sut.add(byIssuer(issuer));
  });

  afterEach(() => jest.restoreAllMocks());

  it('the authenticator that claims a token decides it', async () => {
    await expect(sut.authenticate(jwtOf('second'))).resolves.toMatchObject({ scheme: 'second' });
  });

  it('a token that no authenticator claims gets no credential', async () => {
    await expect(sut.authenticate(jwtOf('nobody'))).resolves.toBeUndefined();
    await expect(sut.authenticate('oak_not-a-jwt')).resolves.toBeUndefined();
  });

  it("a token's header and claims are decoded once however many authenticators read them", async () => {
    const parse = jest.spyOn(JSON, 'parse');
    await sut.authenticate(jwtOf('third'));
    expect(parse).toHaveBeenCalledTimes(2);
  });
});
