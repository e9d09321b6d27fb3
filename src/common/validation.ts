import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
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

type RuleList = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>;

/**
 * class-validator finds a class's rules again for every object it validates, filtering its own rules
 * and testing every registered class for inheritance: 1.2–1.7% of the server's CPU per request. The
 * rules are registered by decorators as classes load and do not change once the app runs, so the
 * answer is kept per class and options; registering any rule drops every kept answer. Lookups with
 * groups or by schema name (neither used here) are not kept.
 */
function keepRuleLookups(): void {
  const storage = getMetadataStorage();
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const register = storage.addValidationMetadata.bind(storage);
  let kept = new Map<unknown, RuleList[]>();
  storage.addValidationMetadata = (metadata) => {
    kept = new Map();
    register(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (schema || (groups && groups.length > 0)) return lookUp(target, schema, always, strictGroups, groups);
    const options = (always ? 1 : 0) + (strictGroups ? 2 : 0);
    let byOptions = kept.get(target);
    if (!byOptions) kept.set(target, (byOptions = []));
    return (byOptions[options] ??= lookUp(target, schema, always, strictGroups, groups));
  };
}

keepRuleLookups();

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
