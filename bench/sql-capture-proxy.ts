import { createConnection, createServer, Server, Socket } from 'node:net';

/** One statement as the server sent it: its SQL and the text values bound to `$1..$n`. */
export interface CapturedStatement {
  sql: string;
  params: (string | null)[];
}

/** The statements one HTTP request made the server send. */
export interface CapturedRequest {
  path: string;
  statements: CapturedStatement[];
}

/**
 * A TCP proxy in front of PostgreSQL that reads the statements its clients send (the simple
 * `Query` message, and `Parse` + `Bind` of the extended protocol, which node-pg uses for every
 * parameterised query) and passes every byte through unchanged. It tells the bench exactly which
 * SQL a request ran, whatever code or ORM wrote it, without touching the server under test.
 * Only used on a separate, unmeasured server instance: it sits on the path of every query.
 */
export class SqlCaptureProxy {
  private readonly statements: CapturedStatement[] = [];
  private readonly sockets = new Set<Socket>();
  private server?: Server;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens on a free loopback port; returns it. */
  async listen(): Promise<number> {
    this.server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', resolve);
    });
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('proxy has no port');
    return address.port;
  }

  /** Everything captured since the last call, and forgets it. */
  take(): CapturedStatement[] {
    return this.statements.splice(0, this.statements.length);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private pipe(client: Socket): void {
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    this.sockets.add(client).add(upstream);
    const reader = new FrontendMessageReader((statement) => this.statements.push(statement));
    client.on('data', (chunk) => {
      reader.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', closeBoth).on('error', closeBoth);
    upstream.on('close', closeBoth).on('error', closeBoth);
  }
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** Parses the client-to-server half of the PostgreSQL protocol (v3), message by message. */
class FrontendMessageReader {
  private buffer = Buffer.alloc(0);
  private startupDone = false;
  /** Parsed statements by name ('' is the unnamed one), waiting for their Bind. */
  private readonly prepared = new Map<string, string>();

  constructor(private readonly onStatement: (statement: CapturedStatement) => void) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (!this.startupDone) {
        // Startup, SSLRequest and GSSENCRequest carry no type byte: length, then a code.
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        this.buffer = this.buffer.subarray(length);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.startupDone = true;
        continue;
      }
      if (this.buffer.length < 5) return;
      const type = String.fromCharCode(this.buffer[0]);
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      const body = this.buffer.subarray(5, 1 + length);
      this.buffer = this.buffer.subarray(1 + length);
      this.read(type, body);
    }
  }

  private read(type: string, body: Buffer): void {
    if (type === 'Q') {
      this.onStatement({ sql: cString(body, 0).value, params: [] });
    } else if (type === 'P') {
      const name = cString(body, 0);
      const sql = cString(body, name.next);
      this.prepared.set(name.value, sql.value);
    } else if (type === 'B') {
      const portal = cString(body, 0);
      const statement = cString(body, portal.next);
      let at = statement.next;
      const formatCount = body.readInt16BE(at);
      at += 2;
      const formats: number[] = [];
      for (let i = 0; i < formatCount; i++, at += 2) formats.push(body.readInt16BE(at));
      const paramCount = body.readInt16BE(at);
      at += 2;
      const params: (string | null)[] = [];
      for (let i = 0; i < paramCount; i++) {
        const length = body.readInt32BE(at);
        at += 4;
        if (length < 0) {
          params.push(null);
          continue;
        }
        const format = formats.length === 1 ? formats[0] : (formats[i] ?? 0);
        const value = body.subarray(at, at + length);
        at += length;
        params.push(format === 0 ? value.toString('utf8') : `\\x${value.toString('hex')}`);
      }
      const sql = this.prepared.get(statement.value);
      if (sql !== undefined) this.onStatement({ sql, params });
    }
  }
}

function cString(buffer: Buffer, from: number): { value: string; next: number } {
  const end = buffer.indexOf(0, from);
  return { value: buffer.toString('utf8', from, end), next: end + 1 };
}
