import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

const SECRET_PREFIX = 'whsec_';
const CIPHER = 'aes-256-gcm';
const FORMAT = 'v1';

/**
 * Webhook signing secrets: made here, shown once, kept encrypted. Unlike a password or an API key,
 * a signing secret cannot be kept as a hash: the server needs the secret itself to sign every
 * delivery. So it is encrypted with AES-256-GCM under WEBHOOK_SECRET_KEY (required in production;
 * in development generated once under DATA_DIR): a copy of the database alone signs nothing, and
 * the tag refuses a ciphertext that was altered or moved to another endpoint's row.
 */
@Injectable()
export class WebhookSecrets {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = Buffer.from(
      config.WEBHOOK_SECRET_KEY ?? WebhookSecrets.developmentKey(config.DATA_DIR),
      'base64',
    );
  }

  /** A new secret as Standard Webhooks writes it: `whsec_` and 32 random bytes in base64. */
  generate(): string {
    return SECRET_PREFIX + randomBytes(32).toString('base64');
  }

  /** `endpointId` is bound as associated data: a ciphertext only opens for the endpoint it was made for. */
  encrypt(secret: string, endpointId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv(CIPHER, this.key, iv);
    cipher.setAAD(Buffer.from(endpointId));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64'));
    return [FORMAT, ...parts].join('.');
  }

  decrypt(stored: string, endpointId: string): string {
    const [format, iv, tag, ciphertext] = stored.split('.');
    if (format !== FORMAT || !iv || !tag || ciphertext === undefined)
      throw new Error('Unknown webhook secret format');
    const decipher = createDecipheriv(CIPHER, this.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(endpointId));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** The HMAC key a secret stands for: the bytes after `whsec_`, base64-decoded. */
  static signingKey(secret: string): Buffer {
    return Buffer.from(
      secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
      'base64',
    );
  }

  private static developmentKey(dataDir: string): string {
    const file = join(dataDir, 'webhook-secret-key');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    mkdirSync(dataDir, { recursive: true });
    const key = randomBytes(32).toString('base64');
    writeFileSync(file, key, { mode: 0o600 });
    return key;
  }
}
