import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { AppConfig } from '../../config/app-config';

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
export class MailService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(MailService.name);
  private readonly inFlight = new Set<Promise<void>>();
  private smtp?: Transporter;

  constructor(private readonly config: AppConfig) {}

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
