import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { MailService } from '../mail/mail.service';

/** What an invitation is to, as its mail names it. */
export interface InvitationSubject {
  /** The organization's name; null for a resource of no organization. */
  organizationName: string | null;
  /** `the project "Road signs"`, or nothing for an invitation to the organization itself. */
  resource?: { kind: string; title: string; role?: string };
  inviter: { name: string | null; email: string | null };
  /** Null when the invitation does not expire (a resource of no organization). */
  expiresAt: Date | null;
}

/**
 * The mail an invited person gets: who invited them to what, and a link to sign up with the invited
 * address. Sent once the invitation is committed, never for one rolled back.
 */
@Injectable()
export class InvitationMails {
  constructor(
    private readonly config: AppConfig,
    private readonly mail: MailService,
  ) {}

  invitation(em: EntityManager, to: string, about: InvitationSubject): void {
    const inviter = about.inviter.name
      ? `${about.inviter.name} (${about.inviter.email})`
      : (about.inviter.email ?? 'An administrator');
    const organization = about.organizationName ? `the organization "${about.organizationName}"` : null;
    const target = about.resource
      ? `the ${about.resource.kind} "${about.resource.title}"${organization ? ` of ${organization}` : ''}` +
        (about.resource.role ? ` as ${about.resource.role.replace(/_/g, ' ')}` : '')
      : organization;
    const link = new URL(`signup?email=${encodeURIComponent(to)}`, this.config.PUBLIC_URL).toString();
    this.mail.sendAfterCommit(em, {
      to,
      subject: about.resource
        ? `${about.inviter.name ?? 'Someone'} invited you to the ${about.resource.kind} "${about.resource.title}"`
        : `You are invited to join ${about.organizationName}`,
      text: [
        'Hello,',
        '',
        `${inviter} invited you to ${target}.`,
        'To accept, sign up with this email address:',
        link,
        about.expiresAt ? `The invitation holds until ${about.expiresAt.toISOString()}.` : '',
        '',
        'If you do not know the person or did not expect this, ignore this mail; without a sign-up',
        'nobody gets access to anything in your name.',
        '',
      ]
        .filter((line, index, lines) => line !== '' || lines[index - 1] !== '')
        .join('\n'),
    });
  }
}
