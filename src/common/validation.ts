import { ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonErrors } from './app-error';

function flatten(errors: ValidationError[], prefix = ''): { path: string; message: string }[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/**
 * Strict input: unknown fields are refused (no mass assignment), types are checked and converted.
 * Input too deep to walk safely never reaches it: the input guards refuse it first (input-guards.ts).
 */
export const strictValidationPipe = () =>
  new ValidationPipe({
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
