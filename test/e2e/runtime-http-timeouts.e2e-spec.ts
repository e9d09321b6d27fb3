import { once } from 'node:events';
import { AddressInfo, connect, Socket } from 'node:net';
import { TestApp } from '../support/test-app';

/**
 * Timeouts live in Node's HTTP server, which `inject` bypasses: these tests talk to a listening
 * server over raw sockets. A server that never cuts the client fails them by the test timeout.
 */
describe('Slow and idle clients', () => {
  let t: TestApp;
  let port: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await TestApp.start({ HTTP_REQUEST_TIMEOUT_MS: '500', HTTP_KEEP_ALIVE_TIMEOUT_MS: '300' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    // Left open only when a test failed: the server would otherwise wait for them to close.
    for (const socket of sockets) socket.destroy();
    await t.close();
  });

  async function open(): Promise<Socket> {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    await once(socket, 'connect');
    return socket;
  }

  /** Connects, writes the head and the start of a JSON body that announces more than it sends. */
  async function startRequest(): Promise<{
    socket: Socket;
    received: () => string;
    closed: Promise<unknown>;
  }> {
    const socket = await open();
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    const closed = once(socket, 'close');
    socket.write(
      'POST /auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        'Content-Length: 200\r\n\r\n{"email":',
    );
    return { socket, received: () => data, closed };
  }

  it('a stalled request body is cut with 408 and the connection closed', async () => {
    const { received, closed } = await startRequest();
    await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 408 /);
  }, 20_000);

  it('a body that trickles in slower than the request timeout is cut as well', async () => {
    const { socket, received, closed } = await startRequest();
    // A byte at a time keeps the socket busy, so only the deadline on the whole request can end it.
    const trickle = setInterval(() => socket.writable && socket.write(' '), 50);
    try {
      await closed;
    } finally {
      clearInterval(trickle);
    }
    expect(received()).toMatch(/^HTTP\/1\.1 408 /);
  }, 20_000);

  it('an idle keep-alive connection is closed by the server', async () => {
    const socket = await open();
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    const closed = once(socket, 'close');
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
    await closed;
    expect(data).toMatch(/^HTTP\/1\.1 200 /);
    expect(data).toMatch(/keep-alive/i);
  }, 20_000);
});
