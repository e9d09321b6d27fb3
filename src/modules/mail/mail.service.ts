import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { AppConfig } from '../../config/app-config';
import { transactionOf } from '../../database/request-context';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Sends mail through the transport MAIL_TRANSPORT names: `log` prints it (development), `file:<dir>`
 * writes one JSON file per mail (tests, staging), `smtp://...` sends it.
 */
@Injectable()
export class MailService implements BeforeApplicationShutdown, OnModuleInit, EventSubscriber {
  private readonly logger = new Logger(MailService.name);
  private readonly inFlight = new Set<Promise<void>>();
  /** Mails waiting for their transaction to commit, by the transaction's entity manager. */
  private readonly afterCommit = new WeakMap<EntityManager, Mail[]>();
  private smtp?: Transporter;

  constructor(
    private readonly config: AppConfig,
    private readonly em: EntityManager,
  ) {}

  onModuleInit(): void {
    this.em.getEventManager().registerSubscriber(this);
  }

  /**
   * Sends once the transaction `em` runs in has committed, and never when it rolls back: a mail
   * about a change (an invitation) must not go out for a change that did not happen. Outside a
   * transaction it is sent at once. Only the outermost transaction's commit sends.
   */
  sendAfterCommit(em: EntityManager, mail: Mail): void {
    // Asked without forking the request's entity manager (`em.isInTransaction()` on the global one
    // would fork it): a write that runs only SQL never needs that fork.
    if (!transactionOf(em)) return this.sendInBackground(mail);
    const queued = this.afterCommit.get(em) ?? [];
    queued.push(mail);
    this.afterCommit.set(em, queued);
  }

  afterTransactionCommit(args: TransactionEventArgs): Promise<void> {
    const queued = this.afterCommit.get(args.em as EntityManager) ?? [];
    this.afterCommit.delete(args.em as EntityManager);
    for (const mail of queued) this.sendInBackground(mail);
    return Promise.resolve();
  }

  afterTransactionRollback(args: TransactionEventArgs): Promise<void> {
    this.afterCommit.delete(args.em as EntityManager);
    return Promise.resolve();
  }

  /**
   * Sends after the answer has left: an answer and its timing then say nothing about whether a mail
   * went out (password reset, resend), and a slow or failing mail server cannot fail a request whose
   * change is committed. A failure is logged; asking again sends a new mail.
   */
  sendInBackground(mail: Mail): void {
    const sending: Promise<void> = this.send(mail)
      .catch((error: unknown) => this.logger.error({ err: error, to: mail.to }, 'mail not sent'))
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  /** Resolves once every mail started so far has been handed to the transport. */
  async idle(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.idle();
  }

  async send(mail: Mail): Promise<void> {
    const transport = this.config.MAIL_TRANSPORT;
    if (transport === 'log') {
      this.logger.log({ mail }, `mail to ${mail.to}: ${mail.subject}`);
    } else if (transport.startsWith('file:')) {
      const dir = transport.slice('file:'.length);
      await mkdir(dir, { recursive: true });
      const name = `${Date.now()}-${process.hrtime.bigint()}-${mail.to.replace(/[^a-z0-9@.]/gi, '_')}.json`;
      await writeFile(join(dir, name), JSON.stringify({ from: this.config.MAIL_FROM, ...mail }, null, 2));
    } else {
      this.smtp ??= createTransport(transport);
      await this.smtp.sendMail({ from: this.config.MAIL_FROM, ...mail });
    }
  }
}
