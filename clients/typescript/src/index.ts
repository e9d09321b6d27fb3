import createFetchClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
export type Schemas = components['schemas'];
export type OrgsClient = Client<paths>;

/** A token, or nothing for the public routes; may be async (read from a store, a vault...). */
export type TokenProvider = () => string | undefined | Promise<string | undefined>;

export interface ClientOptions {
  /** The service's root URL, e.g. https://orgs.example.com */
  baseUrl: string;
  /** Read before every request: the bearer token to send. */
  token?: TokenProvider;
  /**
   * Called once when a request is answered 401: returns a fresh token (log in again, or spend a
   * refresh token), and the request is sent once more with it. Undefined gives up: the 401 stands.
   */
  refresh?: () => Promise<string | undefined>;
  fetch?: (request: Request) => Promise<Response>;
}

/** RFC 9457 problem details, as every error of the API is shaped. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code: string;
  [extra: string]: unknown;
}

/** Thrown by the helpers below when the API answers an error; `problem` is its body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${status} ${problem.code}: ${problem.detail ?? problem.title ?? ''}`);
  }
}

/** A typed client for every path of the API (openapi-fetch), with the bearer token and refresh handled. */
export function createClient(options: ClientOptions): OrgsClient {
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const authorized = async (request: Request, token: string | undefined) => {
    if (token && !request.headers.has('authorization'))
      request.headers.set('authorization', `Bearer ${token}`);
    return request;
  };
  return createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/$/, ''),
    // Lists take `?tags=id,id`, as the API documents them.
    querySerializer: { array: { style: 'form', explode: false } },
    fetch: async (request: Request) => {
      const retry = options.refresh ? request.clone() : undefined;
      const response = await send(await authorized(request, await options.token?.()));
      if (response.status !== 401 || !retry || !options.refresh) return response;
      const fresh = await options.refresh();
      if (!fresh) return response;
      retry.headers.delete('authorization');
      return send(await authorized(retry, fresh));
    },
  });
}

/** The data of an answer, or an ApiError with its problem details. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiError(result.response.status, result.error as Problem);
  }
  return result.data as T;
}

/**
 * Every item of a paginated list, page after page, following `nextCursor`:
 * `for await (const m of paginate((cursor) => api.GET('/organizations/{orgId}/members', { params: { path: { orgId }, query: { cursor } } })))`.
 */
export async function* paginate<T>(
  fetchPage: (
    cursor: string | undefined,
  ) => Promise<{ data?: { items: T[]; nextCursor: string | null }; error?: unknown; response: Response }>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = unwrap(await fetchPage(cursor));
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
