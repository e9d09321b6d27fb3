import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { User } from '../users/entities/user.entity';
import { emailDomain } from '../users/users.service';

@Injectable()
export class DomainJoinService {
  constructor(private readonly audit: AuditService) {}

  /**
   * On email verification: when the email's domain belongs to an organization and the user is
   * internal nowhere, they become its member (a workforce or external membership there is upgraded).
   * The partial unique index on internal memberships settles races: the loser stays as it was.
   */
  async joinByDomain(em: EntityManager, user: User): Promise<void> {
    const [row] = await em
      .getConnection()
      .execute<{ organization_id: string; upgraded_from: string | null }[]>(
        `with target as (
         select d.organization_id from organization_domains d
          where d.domain = ?
            and not exists (select 1 from memberships m where m.user_id = ? and m.type in ('admin', 'member'))
       ), previous as (
         select m.type from memberships m join target t on t.organization_id = m.organization_id where m.user_id = ?
       )
       insert into memberships (id, organization_id, user_id, type, created_at)
       select gen_random_uuid(), t.organization_id, ?, 'member', now() from target t
       on conflict (organization_id, user_id) do update set type = 'member'
       returning organization_id, (select type from previous) as upgraded_from`,
        [emailDomain(user.email), user.id, user.id, user.id],
        'all',
        em.getTransactionContext(),
      );
    if (!row) return;
    this.audit.record(em, {
      organizationId: row.organization_id,
      actorId: user.id,
      action: 'membership.joined_by_domain',
      targetType: 'user',
      targetId: user.id,
      data: { type: 'member', previousType: row.upgraded_from },
    });
  }
}
