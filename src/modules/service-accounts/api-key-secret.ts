import { createHash, randomBytes, randomInt } from 'node:crypto';

/** Every API key begins with it: recognisable in logs and by secret scanners, and claimed by its authenticator. */
export const API_KEY_PREFIX = 'oak_';

const PUBLIC_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const PUBLIC_ID_LENGTH = 12;
/** 32 random bytes: 256 bits, 43 base64url characters. */
const SECRET_BYTES = 32;
const API_KEY = /^oak_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/;

export interface NewApiKey {
  /** The whole key, `oak_<publicId>_<secret>`: given to the caller once, never stored. */
  key: string;
  publicId: string;
  /** The public beginning shown in lists, `oak_<publicId>`. */
  prefix: string;
  keyHash: string;
}

export function generateApiKey(): NewApiKey {
  const publicId = Array.from({ length: PUBLIC_ID_LENGTH }, () => PUBLIC_ID_ALPHABET[randomInt(36)]).join('');
  const key = `${API_KEY_PREFIX}${publicId}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { key, publicId, prefix: apiKeyPrefix(publicId), keyHash: hashApiKey(key) };
}

export const apiKeyPrefix = (publicId: string) => `${API_KEY_PREFIX}${publicId}`;

/**
 * The stored form: SHA-256 of the whole key, hex. A fast hash is enough for 256 random bits (no
 * dictionary to try, unlike a password), and it is what lets the key be found by an index lookup.
 */
export const hashApiKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/** The hash of a well-formed key; undefined for anything else (which no key can match). */
export const hashOfWellFormedKey = (token: string): string | undefined =>
  API_KEY.test(token) ? hashApiKey(token) : undefined;
