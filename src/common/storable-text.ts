/**
 * Text PostgreSQL can store as it was sent: no NUL byte (refused by the database, so a 500 after
 * half a request) and no unpaired UTF-16 surrogate (silently replaced by U+FFFD on the way in, so
 * what is stored would differ from what was sent).
 */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isStorableText = (value: string): boolean => !UNSTORABLE.test(value);

export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL bytes or unpaired surrogates';
