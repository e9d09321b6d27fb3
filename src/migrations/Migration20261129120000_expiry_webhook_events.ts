import { Migration } from '@mikro-orm/migrations';

/**
 * Access that expires is an event like its manual counterpart: a membership or collaborator grant the
 * sweeper removes is `membership.removed` / `collaborator.removed`, a changed expiry `membership.updated`.
 */
export class Migration20261129120000_expiry_webhook_events extends Migration {
  override async up(): Promise<void> {
    this.addSql(`insert into "webhook_event_types" ("audit_action", "event_type") values
      ('membership.expired', 'membership.removed'),
      ('collaborator.expired', 'collaborator.removed'),
      ('membership.expiry_changed', 'membership.updated')
      on conflict ("audit_action") do nothing;`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `delete from "webhook_event_types" where "audit_action" in ('membership.expired', 'collaborator.expired', 'membership.expiry_changed');`,
    );
  }
}
