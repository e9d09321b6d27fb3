import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { ResolvedAddress } from './webhook-targets';

/** What is kept of an answer: enough to tell why a receiver refused, not a copy of its page. */
export const KEPT_RESPONSE_CHARS = 1000;
const READ_RESPONSE_BYTES = 4096;

export interface SendResult {
  /** The answer's status; null when there was none (timeout, refused connection...). */
  statusCode: number | null;
  /** The start of the answer's body, or why there was no answer. */
  response: string;
}

/**
 * One POST to a checked address. The connection goes to `address` whatever the host resolves to
 * now (the URL's host still names the TLS server and the Host header); redirects are answers like
 * any other, never followed; the whole exchange is cut after `timeoutMs`; at most a few KiB of the
 * answer are read.
 */
export function sendWebhook(
  url: URL,
  address: ResolvedAddress,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<SendResult> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address: address.address, family: address.family },
      ]);
    else callback(null, address.address, address.family);
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: pinned,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'orgs-access-webhooks/1',
        },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let length = 0;
        const done = () =>
          finish({
            statusCode: res.statusCode ?? null,
            response: Buffer.concat(chunks).toString('utf8').slice(0, KEPT_RESPONSE_CHARS),
          });
        res.on('data', (chunk: Buffer) => {
          if (length >= READ_RESPONSE_BYTES) return;
          chunks.push(chunk.subarray(0, READ_RESPONSE_BYTES - length));
          length += chunk.length;
          if (length >= READ_RESPONSE_BYTES) {
            done();
            res.destroy();
          }
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      },
    );
    const timer = setTimeout(() => {
      finish({ statusCode: null, response: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({ statusCode: null, response: `connection failed: ${error.code ?? error.message}` }),
    );
    req.end(body);
  });
}
