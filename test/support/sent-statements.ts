import { Client } from 'pg';

/** A statement as the app sent it to PostgreSQL: its text (`$1`, `$2`, ... or values inlined by MikroORM) and values. */
export interface SentStatement {
  text: string;
  values: unknown[];
}

/**
 * Records every statement sent through pg's clients, the app's and MikroORM's alike, from its creation
 * until `stop()`: what PostgreSQL receives, whatever sent it.
 */
export class SentStatements {
  private readonly spy = jest.spyOn(Client.prototype, 'query');
  private stopped?: SentStatement[];

  /** The statements sent since the recorder started or was last cleared, until it stopped. */
  get all(): SentStatement[] {
    if (this.stopped) return this.stopped;
    return this.spy.mock.calls.map(([query, values]) =>
      typeof query === 'string'
        ? { text: query, values: Array.isArray(values) ? values : [] }
        : {
            text: (query as { text: string }).text,
            values: (query as { values?: unknown[] }).values ?? [],
          },
    );
  }

  clear(): void {
    this.spy.mockClear();
  }

  stop(): void {
    this.stopped = this.all;
    this.spy.mockRestore();
  }
}

/** Runs `run` and returns its result with the statements sent to PostgreSQL meanwhile. */
export async function statementsSentWhile<T>(
  run: () => Promise<T>,
): Promise<{ result: T; statements: SentStatement[] }> {
  const sent = new SentStatements();
  try {
    const result = await run();
    return { result, statements: sent.all };
  } finally {
    sent.stop();
  }
}
