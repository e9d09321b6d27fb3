import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonErrors } from './app-error';
import { jsonDepth } from './json-document';

/**
 * Input nested deeper than this is refused before anything walks it: the validation pipe's own
 * recursion over a 1 MB body of brackets would overflow the stack and answer 500.
 */
export const MAX_INPUT_DEPTH = 64;

function flatten(errors: ValidationError[], prefix = ''): { path: string; message: string }[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

function assertShallow(value: unknown): void {
  if (value === null || typeof value !== 'object' || jsonDepth(value) <= MAX_INPUT_DEPTH) return;
  const path = Object.entries(value).find(([, child]) => jsonDepth(child) >= MAX_INPUT_DEPTH)?.[0] ?? '';
  const message = `${path || 'input'} is nested more than ${MAX_INPUT_DEPTH} levels deep`;
  throw CommonErrors.validation(message, [{ path, message }]);
}

class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    assertShallow(value);
    return super.transform(value, metadata);
  }
}

/** Strict input: unknown fields are refused (no mass assignment), types are checked and converted. */
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
