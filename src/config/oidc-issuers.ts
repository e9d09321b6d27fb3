import { isIP } from 'node:net';

/** Asymmetric signature algorithms an issuer may be pinned to: never `none`, never an HMAC (HS*). */
export const OIDC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type OidcAlgorithm = (typeof OIDC_ALGORITHMS)[number];

/** An identity provider whose tokens are accepted as bearer tokens beside our own. */
export interface OidcIssuer {
  /** The exact `iss` of its tokens. */
  issuer: string;
  /** The `aud` its tokens must carry for us (our client id there). */
  audience: string;
  /** Where its public keys are: an `https://` URL (`http://` on loopback only), or a file. */
  jwks: { url: string } | { file: string };
  /** The claim holding the person's email. */
  emailClaim: string;
  /** The algorithms its tokens may be signed with; any other is refused. */
  algorithms: OidcAlgorithm[];
  /** When set, the only email domains it may vouch for (matching an account by email, creating one). */
  emailDomains?: string[];
}

const KEYS = new Set([
  'issuer',
  'audience',
  'jwksUrl',
  'jwksFile',
  'emailClaim',
  'algorithms',
  'emailDomains',
]);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A setting that did not parse: kept as the reason, so that validation reports it with the setting's name. */
export class InvalidSetting {
  constructor(readonly reason: string) {}
}

/**
 * `OIDC_ISSUERS`: a JSON array of `{ issuer, audience, jwksUrl | jwksFile, emailClaim?, algorithms, emailDomains? }`.
 * Throws with the first problem, naming the entry and field.
 */
export function parseOidcIssuers(text: string): OidcIssuer[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('must be a JSON array');
  }
  if (!Array.isArray(value)) throw new Error('must be a JSON array');
  const issuers = value.map((entry: unknown, index) => parseIssuer(entry, `[${index}]`));
  const seen = new Set<string>();
  for (const { issuer } of issuers) {
    if (seen.has(issuer)) throw new Error(`issuer ${issuer} is listed twice`);
    seen.add(issuer);
  }
  return issuers;
}

function parseIssuer(entry: unknown, at: string): OidcIssuer {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw new Error(`${at} must be an object`);
  const fields = entry as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !KEYS.has(key));
  if (unknown) throw new Error(`${at}.${unknown} is not a setting (${[...KEYS].join(', ')})`);
  const text = (key: string, value = fields[key]): string => {
    if (typeof value !== 'string' || value.trim() === '')
      throw new Error(`${at}.${key} must be a non-empty string`);
    return value.trim();
  };
  const issuer = text('issuer');
  const audience = text('audience');
  if ((fields.jwksUrl === undefined) === (fields.jwksFile === undefined))
    throw new Error(`${at} needs exactly one of jwksUrl and jwksFile`);
  const jwks =
    fields.jwksUrl !== undefined ? { url: jwksUrl(text('jwksUrl'), at) } : { file: text('jwksFile') };
  const emailClaim = fields.emailClaim === undefined ? 'email' : text('emailClaim');
  if (!Array.isArray(fields.algorithms) || fields.algorithms.length === 0)
    throw new Error(`${at}.algorithms must be a non-empty array, e.g. ["RS256"]`);
  const algorithms = fields.algorithms.map((algorithm) => {
    if (!(OIDC_ALGORITHMS as readonly unknown[]).includes(algorithm))
      throw new Error(`${at}.algorithms: ${String(algorithm)} is not one of ${OIDC_ALGORITHMS.join(', ')}`);
    return algorithm as OidcAlgorithm;
  });
  let emailDomains: string[] | undefined;
  if (fields.emailDomains !== undefined) {
    if (!Array.isArray(fields.emailDomains) || fields.emailDomains.length === 0)
      throw new Error(`${at}.emailDomains must be a non-empty array of domains when set`);
    emailDomains = fields.emailDomains.map((domain) => text('emailDomains', domain).toLowerCase());
  }
  return { issuer, audience, jwks, emailClaim, algorithms, ...(emailDomains ? { emailDomains } : {}) };
}

/** Keys fetched over plain HTTP could be replaced on the way: only loopback (a sidecar, a test) may use it. */
function jwksUrl(value: string, at: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${at}.jwksUrl must be a URL`);
  }
  const loopback =
    LOOPBACK.has(url.hostname) || (isIP(url.hostname) === 4 && url.hostname.startsWith('127.'));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new Error(`${at}.jwksUrl must be https:// (http:// only on loopback)`);
  return url.toString();
}
