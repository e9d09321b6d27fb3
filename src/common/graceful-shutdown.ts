import { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * While the server closes, answers in flight tell their client to close the connection: a
 * keep-alive socket left idle would otherwise hold the close open until its keep-alive timeout.
 * (Requests that arrive during the close get Fastify's 503 with `Connection: close`.)
 */
export function closeConnectionsWhenDraining(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  let draining = false;
  fastify.addHook('preClose', async () => {
    draining = true;
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) void reply.header('Connection', 'close');
    done(null, payload);
  });
}

/**
 * Stops accepting connections, lets the requests in flight finish (Nest closes the HTTP server
 * before the ORM's pool), and cuts whatever is still open after `timeoutMs`.
 */
export async function closeGracefully(app: NestFastifyApplication, timeoutMs: number): Promise<void> {
  const cut = setTimeout(() => app.getHttpServer().closeAllConnections(), timeoutMs);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}
