import autocannon from 'autocannon';

/** One request to send: reads are a path; writes carry a method and a JSON body. */
export interface BenchRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}

export interface LoadOptions {
  /** http://127.0.0.1:port */
  baseUrl: string;
  /** The next request; called once per request, so scenarios can rotate their inputs (and writes never repeat one). */
  nextRequest: () => BenchRequest;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  seconds: number;
  /** 2xx answers per second: the only ones that count. */
  requestsPerSecond: number;
  ok: number;
  /** Answers other than 2xx, by status; any of them fails the scenario. */
  failedByStatus: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
  /** Latency of the 2xx answers, in milliseconds. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  /** CPU time per answered request, in ms, of each process on the path; null where unknown. */
  cpuMsPerRequest?: { server: number | null; postgres: number | null; loadGenerator: number };
  /**
   * Share of the machine's CPUs (0 to 1) that processes outside the measurement (not the server,
   * PostgreSQL or the load generator) used meanwhile: anything above a few percent slowed the run.
   */
  otherProcessesShare?: number | null;
}

export const percentileOf = (sorted: ArrayLike<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/**
 * Drives the server with autocannon over loopback for a bounded time. Latencies are recorded per
 * answer here (autocannon's own histogram has no p95), and only 2xx answers are timed: an error
 * page must never pass for a fast success.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const failedByStatus: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        duration: options.seconds,
        timeout: 10,
        headers: options.headers,
        requests: [
          {
            setupRequest: (request) => {
              const next = options.nextRequest();
              if (next.body === undefined) return { ...request, method: next.method, path: next.path };
              return {
                ...request,
                method: next.method,
                path: next.path,
                headers: { ...request.headers, 'content-type': 'application/json' },
                body: JSON.stringify(next.body),
              };
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const sorted = Float64Array.from(latencies).sort();
        const sum = latencies.reduce((a, b) => a + b, 0);
        const seconds = result.duration || options.seconds;
        resolve({
          seconds,
          requestsPerSecond: latencies.length / seconds,
          ok: latencies.length,
          failedByStatus,
          errors: result.errors + result.timeouts,
          p50Ms: percentileOf(sorted, 50),
          p95Ms: percentileOf(sorted, 95),
          p99Ms: percentileOf(sorted, 99),
          meanMs: latencies.length ? sum / latencies.length : NaN,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
      else failedByStatus[statusCode] = (failedByStatus[statusCode] ?? 0) + 1;
    });
  });
}
