import { DriverException } from '@mikro-orm/core';
import pino from 'pino';
import { DatabaseError } from 'pg';

/** Fields of a PostgreSQL error that name what failed (constraint, table) and never carry a row's values. */
const NAMING_FIELDS = ['code', 'severity', 'constraint', 'table', 'column', 'schema', 'dataType', 'routine'];

type SerializedError = Record<string, unknown>;

/**
 * Errors as they may be logged. A failed statement's error carries pg's `detail` (`Failing row
 * contains (…)`: a whole row, password hash included) and, with some drivers, the statement with its
 * values (see statement-errors.ts). Those are logged by what they name, pg's own message and the
 * stack frames, and nothing else.
 */
export function serializeError(error: unknown): SerializedError | unknown {
  if (!(error instanceof Error)) return error;
  if (!isStatementError(error)) {
    const serialized = pino.stdSerializers.err(error) as SerializedError;
    if (error.cause !== undefined) serialized.cause = serializeError(error.cause);
    return serialized;
  }
  const fields = error as unknown as Record<string, unknown>;
  const named = Object.fromEntries(
    NAMING_FIELDS.filter((key) => typeof fields[key] === 'string').map((key) => [key, fields[key]]),
  );
  return {
    type: error.constructor.name,
    message: safeErrorMessage(error),
    ...named,
    stack: (error.stack ?? '')
      .split('\n')
      .filter((line) => line.trimStart().startsWith('at '))
      .join('\n'),
  };
}

/** An error's message fit for a log line: for a failed statement, PostgreSQL's message without its detail. */
export function safeErrorMessage(error: Error): string {
  if (!isStatementError(error)) return error.message;
  // MikroORM appends pg's detail and hint to the message.
  return error.message.split('\n - detail: ')[0].split('\n - hint: ')[0];
}

function isStatementError(error: Error): boolean {
  return error instanceof DriverException || error instanceof DatabaseError;
}
