import { createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

/**
 * The HS256 signing secret: JWT_SECRET when set (required in production); otherwise one generated
 * on first start and kept under DATA_DIR, so tokens survive restarts in development.
 */
@Injectable()
export class JwtKeys {
  static readonly ISSUER = 'orgs-access-service';
  static readonly AUDIENCE = 'orgs-access-api';
  /**
   * The secret as a key object, made once. Given the secret as a string, jsonwebtoken would make one
   * on every sign and verify, after first trying (and failing) to read the string as a PEM public
   * key: about 0.3 ms of CPU per request, most of what verifying a token cost.
   */
  readonly key: KeyObject;

  constructor(config: AppConfig) {
    this.key = createSecretKey(
      Buffer.from(config.JWT_SECRET ?? JwtKeys.developmentSecret(config.DATA_DIR), 'utf8'),
    );
  }

  private static developmentSecret(dataDir: string): string {
    const file = join(dataDir, 'jwt-secret');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}
