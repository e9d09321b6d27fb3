import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { JwtService } from '@nestjs/jwt';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, Response } from 'light-my-request';
import { Client } from 'pg';
import type { DestinationStream } from 'pino';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/config/app-config';
import { withDatabase } from '../../src/database/database-url';
import { JwtKeys } from '../../src/modules/auth/jwt-keys';
import { MailService } from '../../src/modules/mail/mail.service';
import { checkResponse } from './response-validator';

export const PLATFORM_ADMIN_EMAIL = 'root@platform.test';
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/** A test file's own app over its own database, cloned from the migrated template. */
export class TestApp {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly orm: MikroORM,
    readonly databaseName: string,
    readonly mailDir: string,
    private readonly serverUrl: string,
  ) {}

  /**
   * `server`: another PostgreSQL holding a migrated template (a test that stops its server);
   * `logDestination`: where the app's log lines go, for a test that reads them; `database`: the
   * clone's name (a test whose replica URL must name it before the app starts).
   */
  static async start(
    env: Record<string, string> = {},
    options: {
      server?: { url: string; template: string };
      logDestination?: DestinationStream;
      database?: string;
    } = {},
  ): Promise<TestApp> {
    const serverUrl = options.server?.url ?? required('TEST_SERVER_URL');
    const template = options.server?.template ?? required('TEST_TEMPLATE_DB');
    const databaseName = options.database ?? `${template}_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${databaseName} template ${template}`);
    await admin.end();

    const mailDir = await mkdtemp(join(tmpdir(), 'orgs-mail-'));
    const config = AppConfig.load({
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      MAIL_TRANSPORT: `file:${mailDir}`,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      // Suites seed tens of thousands of rows through `sql()` on the app's own pool, on a machine that
      // may run two suites at once: the serving default (15 s) would cancel a seed, not a request.
      DB_STATEMENT_TIMEOUT_MS: '300000',
      PLATFORM_ADMIN_EMAILS: PLATFORM_ADMIN_EMAIL,
      DATA_DIR: mailDir,
      // No delivery worker polling in the background (it would show in suites that count queries);
      // the webhook suites turn it on.
      WEBHOOK_POLL_INTERVAL_MS: '0',
      // Tests that need the expiry sweeper call it themselves.
      EXPIRY_SWEEP_INTERVAL_MS: '0',
      ...env,
    });
    const app = await createApp(config, withDatabase(serverUrl, databaseName), {
      logDestination: options.logDestination,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return new TestApp(app, app.get(MikroORM), databaseName, mailDir, serverUrl);
  }

  async close(): Promise<void> {
    await this.app.close();
    const admin = new Client({ connectionString: this.serverUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${this.databaseName} with (force)`);
    await admin.end();
  }

  /** This app's database, for another client of it (the bench's ideal server). */
  get databaseUrl(): string {
    return withDatabase(this.serverUrl, this.databaseName);
  }

  /** A fresh entity manager on this app's database, for assertions and fast factories. */
  em() {
    return this.orm.em.fork();
  }

  async sql<T = any>(query: string, params: unknown[] = []): Promise<T[]> {
    return this.orm.em.getConnection().execute<T[]>(query, params);
  }

  /** A signed access token for a user id, as login would issue it (for a password never changed). */
  tokenFor(userId: string, credentialVersion = 0): string {
    return this.app
      .get(JwtService)
      .sign(
        { sub: userId, ver: credentialVersion },
        { algorithm: 'HS256', issuer: JwtKeys.ISSUER, audience: JwtKeys.AUDIENCE, expiresIn: 3600 },
      );
  }

  /** Fastify's inject, with the answer checked against the OpenAPI document (response-validator.ts). */
  async inject(options: InjectOptions & { url: string }): Promise<Response> {
    const response = await this.app.inject(options);
    checkResponse({
      method: String(options.method ?? 'GET').toUpperCase(),
      url: options.url,
      status: response.statusCode,
      contentType: response.headers['content-type'] as string | undefined,
      body: response.body,
    });
    return response;
  }

  async request<T = any>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<HttpResult<T>> {
    const response = await this.inject({
      method,
      url,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      payload:
        options.body === undefined
          ? undefined
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body),
    });
    const text = response.body;
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (Swagger UI's HTML): keep the text
    }
    return { status: response.statusCode, body: body as T, headers: response.headers };
  }

  get = <T = any>(url: string, token?: string) => this.request<T>('GET', url, { token });
  post = <T = any>(url: string, body: unknown, token?: string) =>
    this.request<T>('POST', url, { body, token });
  put = <T = any>(url: string, body: unknown, token?: string) => this.request<T>('PUT', url, { body, token });
  patch = <T = any>(url: string, body: unknown, token?: string) =>
    this.request<T>('PATCH', url, { body, token });
  delete = <T = any>(url: string, token?: string) => this.request<T>('DELETE', url, { token });

  /** The newest mail sent to an address, through the file transport. */
  /** Every mail sent to this address so far, oldest first. */
  async mailsTo(email: string): Promise<{ to: string; subject: string; text: string }[]> {
    await this.app.get(MailService).idle();
    const files = (await readdir(this.mailDir)).filter((f) => f.endsWith('.json')).sort();
    const mails = await Promise.all(
      files.map(async (file) => JSON.parse(await readFile(join(this.mailDir, file), 'utf8'))),
    );
    return mails.filter((mail) => mail.to === email.toLowerCase());
  }

  async lastMailTo(email: string): Promise<{ to: string; subject: string; text: string }> {
    await this.app.get(MailService).idle();
    const files = (await readdir(this.mailDir)).filter((f) => f.endsWith('.json')).sort();
    for (const file of files.reverse()) {
      const mail = JSON.parse(await readFile(join(this.mailDir, file), 'utf8'));
      if (mail.to === email.toLowerCase()) return mail;
    }
    throw new Error(`no mail to ${email}`);
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (globalSetup)`);
  return value;
}
