import { DriverException } from '@mikro-orm/core';
import { DatabaseError } from 'pg';
import { AppError } from './app-error';

/**
 * Database constraints are the last word on invariants that must hold under concurrency. When one
 * refuses a write that the service's own checks let through (a race), the answer is the same
 * business error the check would have given: each feature names, in its errors file, the error of
 * each of its constraints, so a code keeps one text whichever way it is raised.
 */
const BY_CONSTRAINT = new Map<string, () => AppError>();

/**
 * Raised by the database's own invariant triggers (see migrations): `raise exception 'LAST_ADMIN: ...'`.
 * The error is made from the message, which may carry its details (`QUOTA_EXCEEDED: tags 5`).
 */
const BY_RAISED_CODE = new Map<string, (message: string) => AppError>();

export function declareConstraintErrors(errors: Record<string, () => AppError>): void {
  for (const [constraint, make] of Object.entries(errors)) BY_CONSTRAINT.set(constraint, make);
}

export function declareRaisedErrors(errors: Record<string, (message: string) => AppError>): void {
  for (const [code, make] of Object.entries(errors)) BY_RAISED_CODE.set(code, make);
}

/**
 * Raw SQL (`sql()` in src/database/sql.ts) and commits surface the driver's own error rather than a
 * MikroORM DriverException: both carry the constraint name and the message, which is all this needs.
 */
export function constraintError(exception: DriverException | DatabaseError): AppError | undefined {
  const constraint = (exception as { constraint?: string }).constraint;
  const byConstraint = constraint ? BY_CONSTRAINT.get(constraint) : undefined;
  if (byConstraint) return byConstraint();
  for (const [code, make] of BY_RAISED_CODE) {
    if (exception.message.includes(code)) return make(exception.message);
  }
  return undefined;
}
