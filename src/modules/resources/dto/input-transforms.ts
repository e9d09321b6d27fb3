import { ValidateIf } from 'class-validator';
import { TransformFnParams } from 'class-transformer';

export const trim = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' ? value.trim() : value;

export const lowerEach = ({ value }: TransformFnParams): unknown =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v)) : value;

/** `?tags=a,b` and `?tags=a&tags=b` alike. */
export const commaList = ({ value }: TransformFnParams): unknown =>
  [value]
    .flat()
    .flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]))
    .map((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v))
    .filter((v) => v !== '');

/** May be left out, but not sent as null: null is not a title, a description or a structure. */
export const IsOmittable = () => ValidateIf((_: object, value: unknown) => value !== undefined);
