import type { BenchRequest } from './load';

/** One request to a server under test, outside the load: its status and its body (JSON when it parses). */
export async function send(baseUrl: string, request: BenchRequest, token?: string) {
  const response = await fetch(baseUrl + request.path, {
    method: request.method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // kept as text
  }
  return { status: response.status, body };
}

/** The same for a request that must succeed (the bench's own set-up): its body, or an error saying why not. */
export async function call<T>(baseUrl: string, token: string, request: BenchRequest): Promise<T> {
  const answer = await send(baseUrl, request, token);
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(
      `${request.method} ${request.path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`,
    );
  }
  return answer.body as T;
}
