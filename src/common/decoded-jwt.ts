/**
 * A JWT's three parts as sent, with its header and payload parsed but not verified: what a verifier
 * checks and what chooses the verifier, decoded once. A part that is not JSON is undefined here;
 * each verifier decides what else it requires (base64url alphabet, objects).
 */
export interface DecodedJwt {
  parts: { header: string; payload: string; signature: string };
  header: unknown;
  payload: unknown;
}

/** Undefined for anything that is not three dot-separated parts. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts;
  return { parts: { header, payload, signature }, header: parsed(header), payload: parsed(payload) };
}

/** A parsed part that is a JSON object; undefined for anything else. */
export function jsonObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function parsed(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
