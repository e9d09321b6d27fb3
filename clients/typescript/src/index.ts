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
   * Called once when a request is answered 401, with the token that was refused: returns a fresh
   * token (log in again, or spend a refresh token: see `signIn`), and the request is sent once more
   * with it. Undefined gives up: the 401 stands.
   */
  refresh?: (refused: string | undefined) => Promise<string | undefined>;
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
      const token = await options.token?.();
      const response = await send(await authorized(request, token));
      if (response.status !== 401 || !retry || !options.refresh) return response;
      const fresh = await options.refresh(token);
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

/** The tokens of a session, as `POST /auth/login` and `POST /auth/refresh` answer them. */
export type SessionTokens = Schemas['TokenResponse'];

export interface SessionOptions {
  baseUrl: string;
  fetch?: (request: Request) => Promise<Response>;
  /**
   * Called with every new pair of tokens (after sign-in and each refresh): store the refresh token
   * there if the session must survive a restart (`resumeSession`). Each refresh token works once.
   */
  onTokens?: (tokens: SessionTokens) => void | Promise<void>;
}

/**
 * A signed-in session: `api` sends its access token and, when one is refused (401: expired), spends
 * the refresh token once for a new pair and sends the request again. Refreshes are one at a time:
 * the server treats a refresh token presented twice as stolen and ends the session, so concurrent
 * 401s share one refresh, and a request refused with an access token already replaced just retries
 * with the new one.
 */
export class Session {
  readonly api: OrgsClient;
  private readonly anonymous: OrgsClient;
  private refreshing: Promise<string | undefined> | undefined;

  constructor(
    private readonly options: SessionOptions,
    private current: { accessToken?: string; refreshToken: string },
  ) {
    this.anonymous = createClient({ baseUrl: options.baseUrl, fetch: options.fetch });
    this.api = createClient({
      baseUrl: options.baseUrl,
      fetch: options.fetch,
      token: () => this.current.accessToken,
      refresh: (refused) => this.refresh(refused),
    });
  }

  get accessToken(): string | undefined {
    return this.current.accessToken;
  }

  get refreshToken(): string {
    return this.current.refreshToken;
  }

  /**
   * A new access token, spending the refresh token; undefined when the session has ended (logged
   * out, expired, password changed). `refused`: the access token a request was refused with; when it
   * has been replaced since, the current one is answered without spending anything.
   */
  async refresh(refused?: string): Promise<string | undefined> {
    if (refused !== undefined && refused !== this.current.accessToken) return this.current.accessToken;
    this.refreshing ??= this.spendRefreshToken().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Ends the session on the server: its refresh token and every access token it issued stop working. */
  async logout(): Promise<void> {
    const { response } = await this.anonymous.POST('/auth/logout', {
      body: { refreshToken: this.current.refreshToken },
    });
    if (!response.ok) throw new ApiError(response.status, (await response.json()) as Problem);
    this.current = { refreshToken: this.current.refreshToken };
  }

  private async spendRefreshToken(): Promise<string | undefined> {
    const result = await this.anonymous.POST('/auth/refresh', {
      body: { refreshToken: this.current.refreshToken },
    });
    if (result.response.status === 401) return undefined;
    const tokens = unwrap(result);
    this.current = tokens;
    await this.options.onTokens?.(tokens);
    return tokens.accessToken;
  }
}

/** Signs in with email and password: a session whose client refreshes its access token by itself. */
export async function signIn(
  options: SessionOptions & { email: string; password: string },
): Promise<Session> {
  const { email, password, ...sessionOptions } = options;
  const anonymous = createClient({ baseUrl: options.baseUrl, fetch: options.fetch });
  const tokens = unwrap(await anonymous.POST('/auth/login', { body: { email, password } }));
  await options.onTokens?.(tokens);
  return new Session(sessionOptions, tokens);
}

/** A session stored earlier (its latest refresh token): the first request refreshes it. */
export function resumeSession(options: SessionOptions & { refreshToken: string }): Session {
  const { refreshToken, ...sessionOptions } = options;
  return new Session(sessionOptions, { refreshToken });
}
