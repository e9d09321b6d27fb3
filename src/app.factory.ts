import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { FASTIFY_ERROR_OPTIONS } from './common/fastify-errors';
import { registerInputGuards } from './common/input-guards';
import { registerJsonAnswers } from './common/json-answer';
import type { DestinationStream } from 'pino';
import { completeContract, useDeclaredErrorFormats } from './common/openapi-contract';
import { closeConnectionsWhenDraining } from './common/graceful-shutdown';
import { registerEtags } from './common/etag';
import { enableCors, registerHttpConventions } from './common/http-conventions';
import { documentHttpConventions } from './common/http-conventions.openapi';
import { httpTimeouts } from './common/http-timeouts';
import { createRootLogger, JsonNestLogger } from './common/json-logger';
import { registerSecurityHeaders } from './common/security-headers';
import { strictValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The HTTP application, as served and as tested: Fastify, strict validation, problem details, /docs. */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  options: { preview?: boolean; logDestination?: DestinationStream } = {},
): Promise<NestFastifyApplication> {
  const logger = createRootLogger(config.LOG_LEVEL, options.logDestination);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    ...httpTimeouts(config),
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    ...FASTIFY_ERROR_OPTIONS,
    // An incoming X-Request-Id is kept when it is sane, so calls can be traced across services.
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });
  registerInputGuards(adapter.getInstance());
  registerHttpConventions(adapter.getInstance());
  registerJsonAnswers(adapter.getInstance());
  registerEtags(adapter.getInstance(), () => app.get(MikroORM));
  adapter.getInstance().addHook('onSend', (request, reply, payload, done) => {
    void reply.header('X-Request-Id', request.id);
    done(null, payload);
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config, databaseUrl),
    adapter,
    {
      logger: new JsonNestLogger(logger),
      preview: options.preview ?? false,
      abortOnError: false,
    },
  );
  app.useGlobalPipes(strictValidationPipe());
  registerSecurityHeaders(app);
  enableCors(app, config);
  closeConnectionsWhenDraining(app);
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    // Tags in the document's reading order (auth first, see TAGS); operations by path within each.
    swaggerOptions: { persistAuthorization: true, operationsSorter: 'alpha' },
  });
  return app;
}

/** Tags in reading order: signing in and organizations first, then what lives in them. */
const TAGS: [string, string][] = [
  [
    'auth',
    'Sign-up, email verification, password reset, login and sessions (refresh, logout, the OAuth 2.0 token ' +
      'endpoint), and the signed-in user.',
  ],
  [
    'organizations',
    "The caller's organizations, their dashboard, and their projects, datasets and ontologies (with joining them).",
  ],
  ['members', "An organization's users: listing and autocomplete, adding, promoting and demoting, removing."],
  [
    'groups',
    "Groups of an organization's users, whose members share the roles the group holds on resources.",
  ],
  ['projects', 'Projects: collaborators, groups, linked datasets and ontology, notifications, tags.'],
  ['datasets', 'Datasets and their collaborators and groups.'],
  ['ontologies', 'Ontologies, their label structure, collaborators and groups.'],
  ['tags', "An organization's project tags, and tagging projects."],
  ['audit', "An organization's audit trail: every change, who made it, when."],
  [
    'authz',
    'Ask the policy engine: may this caller (or a user of an organization you administer) take these actions, and which actions a UI may offer.',
  ],
  [
    'service-accounts',
    "An organization's service accounts (machine identities) and their API keys, for enterprise backends.",
  ],
  ['scim', "SCIM 2.0 provisioning of an organization's users and groups by its identity provider."],
  [
    'webhooks',
    "An organization's webhook endpoints: its changes POSTed as signed `WebhookEvent`s (Standard Webhooks), with a delivery log.",
  ],
  ['platform', 'Platform administration: organizations, their domains, first admins and workforce flag.'],
  ['health', 'Liveness and database reachability, for load balancers and probes.'],
];

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Organizations and access management')
    .setDescription(
      'Organizations, their users, groups, tags, projects, datasets and ontologies, with one policy engine ' +
        'deciding every request. Errors are RFC 9457 problem details (`application/problem+json`) with a stable ' +
        '`code`; each operation lists the codes it can answer.',
    )
    .setVersion('0.1.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .setContact(
      'Maintainers',
      'https://github.com/orgs-access/orgs-access-service',
      'maintainers@orgs-access.dev',
    )
    .addServer('/', 'The instance serving this document')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'The access token of `POST /auth/login`, `POST /auth/refresh` or `POST /auth/token`, a service ' +
        "account's API key (`oak_...`), or a token of an identity provider the operator trusts (`OIDC_ISSUERS`).",
    })
    // Swagger UI's Authorize dialog signs a person in through the token endpoint (RFC 6749 §4.3).
    .addOAuth2(
      {
        type: 'oauth2',
        description:
          'Sign in with email (as `username`) and password at the OAuth 2.0 token endpoint; no client id or ' +
          'secret is needed. The same access token as the bearer scheme.',
        flows: { password: { tokenUrl: '/auth/token', refreshUrl: '/auth/token', scopes: {} } },
      },
      OAUTH2_SCHEME,
    );
  for (const [name, description] of TAGS) builder.addTag(name, description);
  // Every route names its operation (`@ApiOperation({ operationId })`), as a generated SDK's method.
  const generated = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
  return useDeclaredErrorFormats(documentHttpConventions(completeContract(signInWithOAuth2(generated))));
}

const OAUTH2_SCHEME = 'oauth2';

/** Every operation that takes a bearer token takes one from the OAuth 2.0 password flow too. */
function signInWithOAuth2(document: OpenAPIObject): OpenAPIObject {
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem) as { security?: Record<string, string[]>[] }[]) {
      if (operation?.security?.some((requirement) => 'bearer' in requirement)) {
        operation.security.push({ [OAUTH2_SCHEME]: [] });
      }
    }
  }
  return document;
}
