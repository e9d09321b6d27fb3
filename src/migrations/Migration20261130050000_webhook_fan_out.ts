import { Migration } from '@mikro-orm/migrations';

/**
 * The change's transaction writes only the event; the delivery worker fans it out to the endpoints
 * (one delivery row each) moments later. Writing a delivery row per endpoint in every audited change,
 * with its four indexes and three foreign-key checks, cost the write paths up to 12% of their
 * throughput (issue 13 allows 10%); the event alone is what "no change without its event" needs.
 * An event is fanned out to the endpoints enabled and subscribed to its type when the worker reaches
 * it, registered no later than the change (docs/decisions.md, "Webhook fan-out in the worker").
 */
export class Migration20261130050000_webhook_fan_out extends Migration {
  override async up(): Promise<void> {
    // Existing events were fanned out by the trigger already; new ones say otherwise (the trigger sets it).
    this.addSql(`alter table "webhook_events" add column "fanned_out" boolean not null default true;`);
    this.addSql(
      `create index "webhook_events_to_fan_out_idx" on "webhook_events" ("created_at", "id") where not "fanned_out";`,
    );
    this.addSql(`create or replace function webhook_events_from_audit() returns trigger language plpgsql as $$
      declare
        public_type text;
      begin
        if new.organization_id is null then return null; end if;
        select event_type into public_type from webhook_event_types where audit_action = new.action;
        if public_type is null then return null; end if;
        -- No lock: whether an endpoint gets the event is decided at fan-out, from the endpoints then.
        if not exists (select 1 from webhook_endpoints
                        where organization_id = new.organization_id and not disabled and public_type = any(events)) then
          return null;
        end if;
        insert into webhook_events (id, organization_id, type, payload, created_at, fanned_out)
        values (new.id, new.organization_id, public_type, jsonb_build_object(
          'type', public_type,
          'timestamp', to_char(new.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'data', jsonb_build_object(
            'organizationId', new.organization_id,
            'actorId', new.actor_id,
            'action', new.action,
            'targetType', new.target_type,
            'targetId', new.target_id,
            'details', new.data)), new.created_at, false);
        return null;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function webhook_events_from_audit() returns trigger language plpgsql as $$
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
    this.addSql(`drop index if exists "webhook_events_to_fan_out_idx";`);
    this.addSql(`alter table "webhook_events" drop column "fanned_out";`);
  }
}
