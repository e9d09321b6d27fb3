import type { FastifyInstance } from 'fastify';

/**
 * A route's answer already written as JSON text, by PostgreSQL: it is sent as it is, never parsed
 * into objects and serialized again. On a page of fifty projects that round trip (pg's JSON.parse,
 * mapping, JSON.stringify and the garbage they leave) was a quarter of the server's CPU. `T` is the
 * shape of the JSON, for the reader and the route's signature; the OpenAPI document comes from the
 * route's `@ApiOkResponse` as always.
 */
export class JsonAnswer<T> {
  private declare readonly shape?: T;

  private constructor(readonly text: string) {}

  /** Text that is JSON of `T`, as the database wrote it. */
  static ofText<T>(text: string): JsonAnswer<T> {
    return new JsonAnswer<T>(text);
  }

  static of<T>(value: T): JsonAnswer<T> {
    return new JsonAnswer<T>(JSON.stringify(value));
  }
}

/**
 * Replies serialize as Fastify's default does for routes without a response schema (Nest declares
 * none), except that a JsonAnswer is its own text. An object payload still gets the JSON content type.
 */
export function registerJsonAnswers(fastify: FastifyInstance): void {
  fastify.setReplySerializer((payload) =>
    payload instanceof JsonAnswer ? payload.text : JSON.stringify(payload),
  );
}

/**
 * SQL of a JSON array as compact text, `[e1,e2]`, of the group's `element` (a json expression) in
 * `orderBy`: `json_agg` writes a line break between elements, and a JSON answer is sent as written.
 * Text, not json: cast it where a json value is needed. An empty group gives `[]`.
 */
export const compactJsonArraySql = (element: string, orderBy: string): string =>
  `concat('[', string_agg((${element})::text, ',' order by ${orderBy}), ']')`;
