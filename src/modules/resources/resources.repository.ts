import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CursorElements, keysetCursor, Page } from '../../common/pagination';
import { JsonAnswer } from '../../common/json-answer';
import { isoTimeSql } from '../../common/keyset-time';
import { escapeLike, isoTime } from '../../common/sql';
import { sql, sqlAnswer } from '../../database/sql';
import { inForceSql, membershipNotExpiredSql, rolesOnResourceSql } from '../../policy/scope-loader';
import type { InScope, ScopeColumns, ScopeStatement, ScopeStatementOf } from '../../policy/policy-context';
import { validatedQuery } from '../../common/validation';
import { FieldSql, SqlFragment } from '../../policy/sql-filter';
import { ResourceKind, ResourceRole, ROLES_BY_KIND } from '../../policy/vocabulary';
import { TagRefDto } from '../tags/dto/tag.dto';
import { PAGE_TAGS_SQL, projectTagConditions, projectTagsJsonSql } from '../tags/project-tag-sql';
import { INTERNAL_ORGANIZATION_LOCK_SQL } from '../membership/membership.repository';
import { ProjectSummaryDto, ResourceDetail, ResourceSummaryDto } from './dto/resource.dto';
import { Resource } from './entities/resource.entity';
import { ResourceErrors } from './resources.errors';

/** Roles are constants of the code, never user input: safe to write into the statement. */
const roleOrder = (kind: ResourceKind) =>
  `array[${ROLES_BY_KIND[kind].map((role) => `'${role}'`).join(', ')}]`;

/** The ids of the resources a user holds a role on, directly or through one of their groups. */
export const resourcesOfUserSql = (userId: string): SqlFragment => ({
  sql: `r.id in (select c.resource_id from collaborators c
                  where c.user_id = ? and ${inForceSql('c')}
                    and ${membershipNotExpiredSql('c.organization_id', 'c.user_id')}
                 union
                 select rg.resource_id from resource_groups rg
                   join group_members gm on gm.group_id = rg.group_id
                  where gm.user_id = ? and ${membershipNotExpiredSql('gm.organization_id', 'gm.user_id')})`,
  params: [userId, userId],
});

/** The user's effective role on `r`: the strongest of their direct and group roles, null when none. */
const effectiveRoleSql = (kind: ResourceKind, user: SqlFragment): SqlFragment => ({
  sql: `(select x.role from (${rolesOnResourceSql('r.id', user.sql)}) x
          order by array_position(${roleOrder(kind)}, x.role) limit 1)`,
  params: [...user.params, ...user.params],
});

/** A user's id as a bound value. */
export const boundId = (id: string): SqlFragment => ({ sql: '?', params: [id] });

const plainValue = (field: string, value: unknown): string => {
  // The rules compare these fields with plain ids; an operator object would need its own translation.
  if (typeof value !== 'string')
    throw new Error(`unsupported condition on ${field}: ${JSON.stringify(value)}`);
  return value;
};

/**
 * How the condition fields of the rules that allow `list` on `Resource` read in SQL over
 * `resources r` (see organizations.rules.ts): the policy engine's list filter.
 */
export const RESOURCE_LIST_FIELDS: Record<string, FieldSql> = {
  organizationId: (value) => ({
    sql: 'r.organization_id = ?',
    params: [plainValue('organizationId', value)],
  }),
  memberIds: (value) => resourcesOfUserSql(plainValue('memberIds', value)),
};

export interface ListFilters {
  owner?: 'me';
  q?: string;
  tags?: string[];
  tagsAny?: string[];
  limit: number;
  cursor?: string;
}

/** The filters a client asks for, as where-fragments over `resources r`. */
export function requestedFilters(caller: SqlFragment, filters: ListFilters): SqlFragment[] {
  const where: SqlFragment[] = [];
  if (filters.owner === 'me') where.push({ sql: `r.owner_id = ${caller.sql}`, params: caller.params });
  if (filters.q) where.push({ sql: `r.title ilike ?`, params: [`%${escapeLike(filters.q)}%`] });
  where.push(...projectTagConditions('r', filters));
  return where;
}

/** Resources by (created_at as PostgreSQL prints it, id), newest first. */
const RESOURCES_CURSOR = keysetCursor(CursorElements.timestamp, CursorElements.uuid);

type SummaryPage = Page<ResourceSummaryDto | ProjectSummaryDto>;

/**
 * One page of resource summaries of one kind, newest first, as one statement answering the page's
 * JSON (`JsonAnswer`): the where-fragments (policy filter, tenant, requested filters) are ANDed;
 * keyset on (created_at, id); `caller` is the caller's id as SQL, for their role. The items are
 * written as ResourceSummaryDto and ProjectSummaryDto declare them, keys in that order.
 */
function summaryPageStatement(input: {
  kind: ResourceKind;
  caller: SqlFragment;
  where: SqlFragment[];
  limit: number;
  after: [string, string] | undefined;
}): ScopeStatement {
  const where: SqlFragment[] = [{ sql: 'r.kind = ?', params: [input.kind] }, ...input.where];
  if (input.after) {
    const [createdAt, id] = input.after;
    where.push({ sql: '(r.created_at, r.id) < (?::timestamptz, ?::uuid)', params: [createdAt, id] });
  }
  const role = effectiveRoleSql(input.kind, input.caller);
  const pageSql = `select r.id, r.title, r.description, r.organization_id, r.owner_id, r.created_at,
                          r.created_at::text as created_key, ${role.sql} as my_role
                     from resources r
                    where ${where.map((w) => `(${w.sql})`).join('\n  and ')}
                    order by r.created_at desc, r.id desc
                    ${RESOURCES_CURSOR.limitSql(input.limit)}`;
  const isProject = input.kind === 'project';
  const rowsSql = isProject
    ? `with page as (${pageSql})
       select page.*, coalesce(page_tags.tags, '[]') as tags
         from page
         left join (${PAGE_TAGS_SQL}) page_tags on page_tags.project_id = page.id`
    : pageSql;
  const item = `(select row_to_json(i) from (select p.id, p.title, p.description,
                   p.organization_id as "organizationId", p.owner_id as "ownerId", p.my_role as "myRole",
                   ${isoTimeSql('p.created_at')} as "createdAt"${isProject ? ', p.tags::json as tags' : ''}) i)`;
  return {
    sql: RESOURCES_CURSOR.answerSql({
      rowsSql,
      orderBy: 'p.created_at desc, p.id desc',
      itemSql: item,
      keySql: ['p.created_key', 'p.id'],
      limit: input.limit,
    }),
    params: [...role.params, ...where.flatMap((w) => w.params)],
  };
}

/**
 * The organization's resources of `kind` that the caller's rules let them list (`scope.allowed`),
 * filtered as asked; a cursor that is not one is refused now (400), before any statement.
 */
export function organizationPageStatement(
  kind: ResourceKind,
  organizationId: string,
  filters: ListFilters,
): (scope: InScope) => ScopeStatement {
  const after = RESOURCES_CURSOR.decode(filters.cursor);
  return ({ callerId, allowed }) =>
    summaryPageStatement({
      kind,
      caller: callerId,
      where: [
        // The tenant, whatever the rules say: a platform admin's `manage all` must not list other organizations.
        { sql: 'r.organization_id = ?', params: [organizationId] },
        allowed,
        ...requestedFilters(callerId, filters),
      ],
      limit: filters.limit,
      after,
    });
}

/**
 * The organization's page for the policy guard to run in its scope statement (`load`), one per filter
 * the rules give (`RESOURCE_LIST_FIELDS`): the route's raw query, validated as its pipe does.
 */
export const resourcePageInScope =
  (kind: ResourceKind, listQuery: new () => ListFilters): ScopeStatementOf =>
  async ({ params, query }) => {
    const filters = await validatedQuery(listQuery, query);
    // A tag filter's page is planned at every execution (its best plan depends on the tags), and a
    // loading statement is planned whole: every relation's branch (4.4 ms against 1.1 ms for the
    // page alone, more than the round trip saved). It stays the route's own statement.
    if (filters.tags?.length || filters.tagsAny?.length) return undefined;
    return organizationPageStatement(kind, params.orgId, filters);
  };

/** The columns of a resource's detail: the scope statement's resource id and organization, and `detailColumns`. */
export interface DetailRow {
  resource_id: string;
  organization_id: string | null;
  title: string;
  description: string;
  owner_id: string;
  structure: Record<string, unknown> | null;
  ontology_id: string | null;
  created_at: string;
  updated_at: string;
  dataset_ids: string[] | null;
  tags: TagRefDto[] | null;
}

/**
 * What a resource's detail reads of `resources r` besides its id and organization: loaded with the
 * policy guard's scope on the route that opens a resource (so that it is one statement), and by
 * `findDetail` after a change.
 */
export function detailColumns(kind: ResourceKind): ScopeColumns {
  const columns = `r.title, r.description, r.owner_id, r.structure, r.ontology_id, r.created_at, r.updated_at`;
  if (kind !== 'project') return { name: `${kind}-detail`, sql: columns };
  return {
    name: `${kind}-detail`,
    sql: `${columns},
          array(select pd.dataset_id from project_datasets pd where pd.project_id = r.id
                 order by pd.created_at, pd.dataset_id) as dataset_ids,
          ${projectTagsJsonSql('r.id')} as tags`,
  };
}

/** A resource as its readers see it, from a row with `detailColumns`, `resource_id` and `organization_id`. */
export function detailOf(kind: ResourceKind, row: DetailRow, myRole: ResourceRole | null): ResourceDetail {
  const base = {
    id: row.resource_id,
    title: row.title,
    description: row.description,
    organizationId: row.organization_id,
    ownerId: row.owner_id,
    myRole,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
  if (kind === 'ontology') return { ...base, structure: row.structure ?? {} };
  if (kind === 'project') {
    return {
      ...base,
      ontologyId: row.ontology_id,
      datasetIds: row.dataset_ids ?? [],
      tags: row.tags ?? [],
    };
  }
  return base;
}

export interface NewResource {
  id: string;
  kind: ResourceKind;
  ownerId: string;
  title: string;
  description: string;
  structure: Record<string, unknown> | null;
  ontologyId: string | null;
}

/** What audit events and invitation mails name of a resource: a row read under the resource's lock, or the entity. */
export interface ResourceRef {
  id: string;
  kind: ResourceKind;
  title: string;
  organization: { id: string } | null;
}

/** The SQL of resources and their links to datasets and ontologies. */
@Injectable()
export class ResourcesRepository {
  /**
   * The resource, its row locked `for update` until the transaction ends: every change to a resource
   * or to who holds what on it takes this lock first, so that checks such as "keeps an admin" see the
   * state they change. 404 when there is none of this kind (in this organization, when given).
   */
  async lock(em: EntityManager, kind: ResourceKind, id: string, organizationId?: string): Promise<Resource> {
    const resource = await em.findOne(
      Resource,
      { id, kind, ...(organizationId === undefined ? {} : { organization: organizationId }) },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!resource) throw ResourceErrors.notFound(kind);
    return resource;
  }

  /**
   * A new resource with its owner as first admin, in one statement (its own transaction when the
   * caller has none): the owner's internal organization is locked as
   * `MembershipRepository.lockInternalOrganization` locks it (INTERNAL_ORGANIZATION_LOCK_SQL); nothing is written
   * unless `room` (SQL over `owner_org`) holds; `audit` (an insert over the `created` rows) records it.
   * Undefined when there was no room.
   */
  async insertWithOwner(
    em: EntityManager,
    resource: NewResource,
    room: (organizationIdSql: string) => SqlFragment,
    audit: (organizationIdSql: string) => SqlFragment,
  ): Promise<DetailRow | undefined> {
    const organizationId = '(select organization_id from owner_org)';
    const roomSql = room(organizationId);
    const auditSql = audit('created.organization_id');
    const [row] = await sql<DetailRow & { room: boolean }>(
      em,
      `with owner_org as (${INTERNAL_ORGANIZATION_LOCK_SQL}),
       quota as (select ${roomSql.sql} as room),
       created as (
         insert into resources (id, created_at, updated_at, kind, organization_id, owner_id, title, description,
                                structure, ontology_id)
         select ?::uuid, now(), now(), ?::text, ${organizationId}, ?::uuid, ?::text, ?::text, ?::jsonb, ?::uuid
          where (select room from quota)
         returning id, organization_id, title, description, owner_id, structure, ontology_id, created_at, updated_at),
       admin as (
         insert into collaborators (id, created_at, resource_id, user_id, role, organization_id)
         select gen_random_uuid(), now(), id, owner_id, 'admin', organization_id from created),
       audit as (${auditSql.sql})
       select quota.room, created.id as resource_id, created.organization_id, created.title, created.description,
              created.owner_id, created.structure, created.ontology_id, created.created_at, created.updated_at
         from quota left join created on true`,
      [
        resource.ownerId,
        ...roomSql.params,
        resource.id,
        resource.kind,
        resource.ownerId,
        resource.title,
        resource.description,
        resource.structure === null ? null : JSON.stringify(resource.structure),
        resource.ontologyId,
        ...auditSql.params,
      ],
    );
    return row.room ? { ...row, dataset_ids: null, tags: null } : undefined;
  }

  /** The datasets of a project being created, all at its creation's time. */
  async attachNewProjectDatasets(
    em: EntityManager,
    projectId: string,
    datasetIds: readonly string[],
  ): Promise<void> {
    await sql(
      em,
      `insert into project_datasets (id, project_id, dataset_id, created_at)
       select gen_random_uuid(), ?::uuid, dataset_id, now() from unnest(?::uuid[]) as dataset_id`,
      [projectId, datasetIds],
    );
  }

  /** Attaching a dataset already attached changes nothing: false then. */
  async attachDataset(em: EntityManager, projectId: string, datasetId: string): Promise<boolean> {
    const inserted = await sql(
      em,
      `insert into project_datasets (id, project_id, dataset_id, created_at)
       values (gen_random_uuid(), ?, ?, clock_timestamp())
       on conflict (project_id, dataset_id) do nothing
       returning id`,
      [projectId, datasetId],
    );
    return inserted.length > 0;
  }

  /** What the caller holds a role on, directly or through a group, in any organization or none. */
  async pageOfUser(
    em: EntityManager,
    kind: ResourceKind,
    userId: string,
    filters: ListFilters,
  ): Promise<JsonAnswer<SummaryPage>> {
    const caller = boundId(userId);
    const statement = summaryPageStatement({
      kind,
      caller,
      where: [resourcesOfUserSql(userId), ...requestedFilters(caller, filters)],
      limit: filters.limit,
      after: RESOURCES_CURSOR.decode(filters.cursor),
    });
    return sqlAnswer(em, statement);
  }

  /** The organization's page that `scope` lets the caller see (`organizationPageStatement`). */
  async pageOfOrganization(
    em: EntityManager,
    kind: ResourceKind,
    organizationId: string,
    filters: ListFilters,
    scope: InScope,
  ): Promise<JsonAnswer<SummaryPage>> {
    return sqlAnswer(em, organizationPageStatement(kind, organizationId, filters)(scope));
  }

  /** A resource as its readers see it, with the caller's role given by the policy context. */
  async findDetail(
    em: EntityManager,
    kind: ResourceKind,
    id: string,
    myRole: ResourceRole | null,
  ): Promise<ResourceDetail | undefined> {
    const columns = detailColumns(kind);
    const [row] = await sql<DetailRow>(
      em,
      `select r.id as resource_id, r.organization_id, ${columns.sql}
         from resources r
        where r.id = ? and r.kind = ?`,
      [id, kind],
      { name: columns.name },
    );
    return row && detailOf(kind, row, myRole);
  }
}
