import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { MailService } from '../mail/mail.service';

/**
 * The mails that carry auth tokens. Each says what happened, the link, how long it works, and what
 * to do when the reader did not ask for it: someone else can type any address into a form.
 */
@Injectable()
export class AuthMails {
  constructor(
    private readonly config: AppConfig,
    private readonly mail: MailService,
  ) {}

  verification(to: string, name: string, token: string): void {
    this.mail.sendInBackground({
      to,
      subject: 'Confirm your email address',
      text: [
        `Hello ${name},`,
        '',
        'Someone signed up with this email address. To confirm that it is yours and activate the',
        'account with the password chosen at sign-up, open this link within 24 hours (it works once):',
        this.link('verify-email', token),
        '',
        'If you did not ask for this, ignore this mail; nothing changes. Do not open the link: it would',
        'activate the account with a password someone else chose.',
        '',
      ].join('\n'),
    });
  }

  passwordReset(to: string, token: string): void {
    this.mail.sendInBackground({
      to,
      subject: 'Reset your password',
      text: [
        'Hello,',
        '',
        'Someone asked to reset the password of the account with this email address. To choose a new',
        'password, open this link within 1 hour (it works once):',
        this.link('reset-password', token),
        'Setting a new password signs you out everywhere.',
        '',
        'If you did not ask for this, ignore this mail; nothing changes: your password stays as it was.',
        '',
      ].join('\n'),
    });
  }

  private link(page: string, token: string): string {
    return new URL(`${page}?token=${token}`, this.config.PUBLIC_URL).toString();
  }
}
