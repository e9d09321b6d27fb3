import { createHmac } from 'node:crypto';
import { WebhookSecrets } from './webhook-secrets';

/**
 * The Standard Webhooks headers for one message: `webhook-signature` holds one `v1,<base64
 * HMAC-SHA256 of "id.timestamp.body">` per secret, space-separated, so that during a rotation's
 * grace period a receiver that knows either secret accepts the message.
 */
export function signedHeaders(
  messageId: string,
  timestampSeconds: number,
  body: string,
  secrets: readonly string[],
): Record<string, string> {
  const signatures = secrets.map(
    (secret) =>
      'v1,' +
      createHmac('sha256', WebhookSecrets.signingKey(secret))
        .update(`${messageId}.${timestampSeconds}.${body}`)
        .digest('base64'),
  );
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}
