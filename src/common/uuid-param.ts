import { Param, ParseUUIDPipe } from '@nestjs/common';
import { CommonErrors } from './app-error';

/** A uuid path parameter; anything else names nothing that can exist, so it is a 404. */
export const UuidParam = (name: string) =>
  Param(name, new ParseUUIDPipe({ exceptionFactory: () => CommonErrors.notFound() }));
