import { randomBytes } from 'node:crypto';
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
  readonly secret: string;

  constructor(config: AppConfig) {
    this.secret = config.JWT_SECRET ?? JwtKeys.developmentSecret(config.DATA_DIR);
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
