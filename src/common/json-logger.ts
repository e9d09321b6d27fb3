import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import { safeErrorMessage, serializeError } from './log-safe-error';

/** One JSON line per event, for Fastify's request logs and Nest's own alike. */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Credentials never reach the log, whatever logs them.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.token',
        '*.accessToken',
        '*.passwordHash',
      ],
      censor: '[redacted]',
    },
    serializers: { err: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}

export class JsonNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    this.write('info', message, context);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest.find((r) => typeof r === 'string') as string | undefined);
  }
  warn(message: unknown, context?: string) {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string) {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.write('trace', message, context);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, context?: string) {
    if (message instanceof Error) this.logger[level]({ context, err: message }, safeErrorMessage(message));
    else if (typeof message === 'object' && message !== null) {
      // Given no text, pino would take the error's own message, detail and all.
      const { err } = message as { err?: unknown };
      const text = err instanceof Error ? safeErrorMessage(err) : undefined;
      this.logger[level]({ context, ...message }, text);
    } else this.logger[level]({ context }, String(message));
  }
}
