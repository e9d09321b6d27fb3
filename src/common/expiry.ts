import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, IsOptional, ValidateIf } from 'class-validator';
import { CommonErrors } from './app-error';

/**
 * `expiresAt` of a grant (a guest's membership, a collaborator's role): an ISO-8601 time with a zone,
 * optional; with `nullable`, null clears it (on changes).
 */
export const ExpiresAtField = (options: { nullable?: boolean } = {}) =>
  applyDecorators(
    ApiProperty({
      type: String,
      format: 'date-time',
      required: false,
      nullable: options.nullable ?? false,
      description: options.nullable
        ? 'When the access ends (in the future); null: it never does.'
        : 'When the access ends (in the future); absent: it never does.',
    }),
    IsOptional(),
    ...(options.nullable ? [ValidateIf((_, value) => value !== null)] : []),
    IsISO8601({ strict: true, strictSeparator: true }),
  );

/** The expiry as a time, refused (400) when it is not ahead: a grant that has already ended is no grant. */
export function futureExpiry(value: string | null | undefined, path = 'expiresAt'): Date | null | undefined {
  if (value === undefined || value === null) return value;
  const time = new Date(value);
  if (Number.isNaN(time.getTime()) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(value) || time.getTime() <= Date.now()) {
    const message = 'must be a time in the future, with its zone';
    throw CommonErrors.validation(`${path}: ${message}`, [{ path, message }]);
  }
  return time;
}
