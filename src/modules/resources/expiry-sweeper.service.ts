import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { MailService } from '../mail/mail.service';
import { MembershipRepository } from '../membership/membership.repository';
import { MembershipService } from '../membership/membership.service';
import { CollaboratorsRepository } from './collaborators.repository';

const BATCH = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Access that expires: warns the organization's admins `EXPIRY_WARNING_DAYS` before (once per grant,
 * remembered in `expiry_warned_at`), and deletes expired collaborator grants and guests' memberships
 * with an audit event. The policy already treats an expired grant as absent; this only tidies up.
 * Runs every `EXPIRY_SWEEP_INTERVAL_MS` (0: never, as in tests, which call `sweep()`); several
 * instances may run it at once, each taking other rows (`for update skip locked`).
 */
@Injectable()
export class ExpirySweeper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ExpirySweeper');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly collaborators: CollaboratorsRepository,
    private readonly memberships: MembershipRepository,
    private readonly membershipService: MembershipService,
    private readonly audit: AuditService,
    private readonly mail: MailService,
  ) {}

  onModuleInit(): void {
    if (this.config.EXPIRY_SWEEP_INTERVAL_MS === 0) return;
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.logger.warn({ err }, 'expiry sweep failed'));
    }, this.config.EXPIRY_SWEEP_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One pass: warnings first (a grant expiring now is not warned after the fact), then removals. */
  async sweep(): Promise<{ warned: number; collaborators: number; memberships: number }> {
    const warned = await this.warn();
    const collaborators = await this.expireCollaborators();
    const memberships = await this.membershipService.expireDue(BATCH);
    return { warned, collaborators, memberships };
  }

  private async warn(): Promise<number> {
    const until = new Date(Date.now() + this.config.EXPIRY_WARNING_DAYS * DAY_MS);
    // Marked warned in the transaction that finds them: two instances never both mail one grant.
    const { memberships, grants, admins } = await this.em.fork().transactional(async (em) => {
      const memberships = await this.memberships.takeDueForWarning(em, until, BATCH);
      const grants = await this.collaborators.takeDueForWarning(em, until, BATCH);
      const organizations = new Set([
        ...memberships.map((m) => m.organization_id),
        ...grants.map((g) => g.organization_id!),
      ]);
      const admins = new Map<string, string[]>();
      for (const id of organizations) admins.set(id, await this.memberships.adminEmails(em, id));
      return { memberships, grants, admins };
    });
    const day = (time: Date) => new Date(time).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
    for (const m of memberships) {
      for (const to of admins.get(m.organization_id) ?? [])
        this.mail.sendInBackground({
          to,
          subject: `Access of ${m.email} to ${m.organization_name} ends ${day(m.expires_at)}`,
          text:
            `${m.email}'s membership of ${m.organization_name} expires on ${day(m.expires_at)}. ` +
            'Change or remove the expiry in the member list to keep their access.',
        });
    }
    for (const g of grants) {
      for (const to of admins.get(g.organization_id!) ?? [])
        this.mail.sendInBackground({
          to,
          subject: `Access of ${g.email} to the ${g.kind} "${g.title}" ends ${day(g.expires_at)}`,
          text:
            `${g.email}'s ${g.role} role on the ${g.kind} "${g.title}" expires on ${day(g.expires_at)}. ` +
            "Change or remove the expiry in the resource's collaborators to keep their access.",
        });
    }
    return memberships.length + grants.length;
  }

  /** Expired collaborator grants, deleted with their audit events in one transaction. */
  private async expireCollaborators(): Promise<number> {
    return this.em.fork().transactional(async (em) => {
      const due = await this.collaborators.dueToExpire(em, BATCH);
      for (const grant of due) {
        await this.collaborators.deleteGrant(em, grant.id);
        this.audit.record(em, {
          organizationId: grant.organization_id,
          actorId: null,
          action: 'collaborator.expired',
          targetType: grant.kind,
          targetId: grant.resource_id,
          data: {
            userId: grant.user_id,
            role: grant.role,
            expiresAt: new Date(grant.expires_at).toISOString(),
          },
        });
      }
      await em.flush();
      return due.length;
    });
  }
}
