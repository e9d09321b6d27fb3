import { Migration } from '@mikro-orm/migrations';

/**
 * Webhooks: endpoints, the outbox (webhook_events) and one delivery per (endpoint, event).
 *
 * The outbox is written by a trigger on audit_events: every audited change is already recorded in
 * its own transaction, so deriving the event from that row gives "no event without its change, no
 * change without its event" for every write path at once, including ones written later, with no
 * change path to edit or forget. webhook_event_types says which audit actions are events, under
 * which public type. Nothing is written for an organization without a subscribed, enabled endpoint.
 */
export class Migration20261129060000_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "webhook_endpoints" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "organization_id" uuid not null, "url" text not null, "description" text not null default '', "events" text[] not null, "disabled" boolean not null default false, "secret_ciphertext" text not null, "previous_secret_ciphertext" text null, "previous_secret_expires_at" timestamptz null, "updated_at" timestamptz not null default now(), constraint "webhook_endpoints_pkey" primary key ("id"), constraint webhook_endpoints_events_not_empty check (cardinality(events) > 0));`,
    );
    this.addSql(
      `create index "webhook_endpoints_org_created_idx" on "webhook_endpoints" ("organization_id", "created_at", "id");`,
    );

    this.addSql(
      `create table "webhook_events" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "organization_id" uuid not null, "type" text not null, "payload" jsonb not null, constraint "webhook_events_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "webhook_events_organization_idx" on "webhook_events" ("organization_id");`);

    this.addSql(
      `create table "webhook_deliveries" ("id" uuid not null default gen_random_uuid(), "created_at" timestamptz not null default now(), "organization_id" uuid not null, "endpoint_id" uuid not null, "event_id" uuid not null, "status" text check ("status" in ('pending', 'succeeded', 'failed')) not null default 'pending', "attempts" int not null default 0, "next_attempt_at" timestamptz not null default now(), "retrying_since" timestamptz not null default now(), "lease_token" uuid null, "last_attempt_at" timestamptz null, "last_status_code" smallint null, "last_response" text null, constraint "webhook_deliveries_pkey" primary key ("id"), constraint webhook_deliveries_attempts_check check (attempts >= 0));`,
    );
    this.addSql(
      `create index "webhook_deliveries_organization_id_index" on "webhook_deliveries" ("organization_id");`,
    );
    this.addSql(`create index "webhook_deliveries_event_id_index" on "webhook_deliveries" ("event_id");`);
    this.addSql(
      `create index "webhook_deliveries_due_idx" on "webhook_deliveries" ("next_attempt_at") where "status" = 'pending';`,
    );
    this.addSql(
      `create index "webhook_deliveries_endpoint_created_idx" on "webhook_deliveries" ("endpoint_id", "created_at", "id");`,
    );
    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_event_unique" unique ("endpoint_id", "event_id");`,
    );

    this.addSql(
      `create table "webhook_event_types" ("audit_action" text not null, "event_type" text not null, constraint "webhook_event_types_pkey" primary key ("audit_action"));`,
    );

    this.addSql(
      `alter table "webhook_endpoints" add constraint "webhook_endpoints_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "webhook_events" add constraint "webhook_events_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoints" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_event_id_foreign" foreign key ("event_id") references "webhook_events" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`insert into "webhook_event_types" ("audit_action", "event_type") values
         ('membership.added', 'membership.added'),
         ('membership.added_by_invitation', 'membership.added'),
         ('membership.joined_by_domain', 'membership.added'),
         ('membership.promoted', 'membership.updated'),
         ('membership.demoted', 'membership.updated'),
         ('membership.removed', 'membership.removed'),
         ('group.created', 'group.created'),
         ('group.updated', 'group.updated'),
         ('group.deleted', 'group.deleted'),
         ('group.members_added', 'group.members_changed'),
         ('group.member_removed', 'group.members_changed'),
         ('collaborator.added', 'collaborator.added'),
         ('collaborator.joined', 'collaborator.added'),
         ('resource_group.added', 'collaborator.added'),
         ('collaborator.role_changed', 'collaborator.updated'),
         ('collaborator.admin_handed_over', 'collaborator.updated'),
         ('resource_group.role_changed', 'collaborator.updated'),
         ('collaborator.removed', 'collaborator.removed'),
         ('resource_group.removed', 'collaborator.removed'),
         ('project.created', 'resource.created'),
         ('dataset.created', 'resource.created'),
         ('ontology.created', 'resource.created'),
         ('project.updated', 'resource.updated'),
         ('dataset.updated', 'resource.updated'),
         ('ontology.updated', 'resource.updated'),
         ('project.dataset_attached', 'resource.updated'),
         ('project.dataset_detached', 'resource.updated'),
         ('project.ontology_set', 'resource.updated'),
         ('project.deleted', 'resource.deleted'),
         ('dataset.deleted', 'resource.deleted'),
         ('ontology.deleted', 'resource.deleted'),
         ('tag.created', 'tag.created'),
         ('tag.renamed', 'tag.updated'),
         ('tag.deleted', 'tag.deleted'),
         ('project.tag_added', 'project.tagged'),
         ('project.tag_removed', 'project.untagged');`);

    // Endpoints are taken `for key share`: a concurrent deletion of one either waits for the change
    // to commit or is seen as gone, so the deliveries' foreign key never fails the change itself.
    this.addSql(`create function webhook_events_from_audit() returns trigger language plpgsql as $$
      declare
        public_type text;
        endpoint_ids uuid[];
      begin
        if new.organization_id is null then return null; end if;
        select event_type into public_type from webhook_event_types where audit_action = new.action;
        if public_type is null then return null; end if;
        select array_agg(id) into endpoint_ids from (
          select id from webhook_endpoints
           where organization_id = new.organization_id and not disabled and public_type = any(events)
             for key share
        ) subscribed;
        if endpoint_ids is null then return null; end if;
        insert into webhook_events (id, organization_id, type, payload, created_at)
        values (new.id, new.organization_id, public_type, jsonb_build_object(
          'type', public_type,
          'timestamp', to_char(new.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'data', jsonb_build_object(
            'organizationId', new.organization_id,
            'actorId', new.actor_id,
            'action', new.action,
            'targetType', new.target_type,
            'targetId', new.target_id,
            'details', new.data)), new.created_at);
        insert into webhook_deliveries (organization_id, endpoint_id, event_id)
        select new.organization_id, endpoint_id, new.id from unnest(endpoint_ids) endpoint_id;
        return null;
      end $$;`);
    this.addSql(`create trigger audit_events_to_webhooks after insert on audit_events
      for each row execute function webhook_events_from_audit();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists audit_events_to_webhooks on audit_events;`);
    this.addSql(`drop function if exists webhook_events_from_audit();`);
    this.addSql(`alter table "webhook_deliveries" drop constraint "webhook_deliveries_endpoint_id_foreign";`);

    this.addSql(`alter table "webhook_deliveries" drop constraint "webhook_deliveries_event_id_foreign";`);

    this.addSql(`drop table if exists "webhook_endpoints" cascade;`);

    this.addSql(`drop table if exists "webhook_events" cascade;`);

    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);

    this.addSql(`drop table if exists "webhook_event_types" cascade;`);
  }
}
