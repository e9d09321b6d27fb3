import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonErrors } from './app-error';

function flatten(errors: ValidationError[], prefix = ''): { path: string; message: string }[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/**
 * Queries already validated for this request (`validatedQuery`), by the raw query object Fastify
 * parsed: the route's pipe gives the same instance instead of validating it a second time.
 */
const validatedQueries = new WeakMap<object, { type: unknown; query: object }>();

class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' && value !== null && typeof value === 'object') {
      const validated = validatedQueries.get(value);
      if (validated && validated.type === metadata.metatype) return validated.query;
    }
    return super.transform(value, metadata);
  }
}

/**
 * Strict input: unknown fields are refused (no mass assignment), types are checked and converted.
 * Input too deep to walk safely never reaches it: the input guards refuse it first (input-guards.ts).
 */
export const strictValidationPipe = () =>
  new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { exposeDefaultValues: true },
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const list = flatten(errors);
      return CommonErrors.validation(
        list.map((e) => `${e.path}: ${e.message}`).join('; ') || 'Invalid input',
        list,
      );
    },
  });

const queryPipe = strictValidationPipe();

/**
 * A route's query as its validation pipe gives it, refused as the pipe refuses it: for what reads
 * the query before the pipes run (the policy guard building the route's statement). The pipe then
 * gives the route this same instance.
 */
export async function validatedQuery<T extends object>(type: new () => T, raw: unknown): Promise<T> {
  const query = (await queryPipe.transform(raw, { type: 'query', metatype: type })) as T;
  if (raw !== null && typeof raw === 'object') validatedQueries.set(raw, { type, query });
  return query;
}
