import { AppConfig } from '../config/app-config';

/**
 * Fastify's server options that bound what a slow or stalled client can hold. Node checks request
 * deadlines on a timer (30 s by default), which would let a stalled body live up to 30 s past its
 * deadline: the check runs at least every second, and often enough for a short deadline.
 */
export function httpTimeouts(config: AppConfig) {
  const requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  return {
    requestTimeout,
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: Math.min(60_000, requestTimeout),
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(requestTimeout / 4))),
    },
  };
}
