import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CursorElements, keysetCursor, Page } from '../../common/pagination';
import { isoTime } from '../../common/sql';
import { sql } from '../../database/sql';
import { emailDomain } from '../users/users.service';
import { OrganizationDto } from './dto/organization.dto';

interface OrganizationRow {
  id: string;
  name: string;
  sort_name: string;
  is_workforce: boolean;
  created_at: Date | string;
  domains: string[];
}

/** Organizations by (lowercased name, id). */
const ORGANIZATIONS_CURSOR = keysetCursor(CursorElements.text, CursorElements.uuid);

const toDto = (row: OrganizationRow): OrganizationDto => ({
  id: row.id,
  name: row.name,
  isWorkforce: row.is_workforce,
  domains: row.domains,
  createdAt: isoTime(row.created_at),
});

const SELECT_ORGANIZATION = `select o.id, o.name, lower(o.name) as sort_name, o.is_workforce, o.created_at,
  array(select d.domain from organization_domains d where d.organization_id = o.id order by d.domain) as domains
  from organizations o`;

/** The SQL of organizations and their domains (written by the platform module through their entities). */
@Injectable()
export class OrganizationsRepository {
  async find(em: EntityManager, id: string): Promise<OrganizationDto | undefined> {
    const [row] = await sql<OrganizationRow>(em, `${SELECT_ORGANIZATION} where o.id = ?`, [id]);
    return row ? toDto(row) : undefined;
  }

  /** Organizations by name, keyset-paginated; `internalUserId` keeps those where that user is internal. */
  async page(
    em: EntityManager,
    query: { limit: number; cursor?: string; internalUserId?: string },
  ): Promise<Page<OrganizationDto>> {
    const after = ORGANIZATIONS_CURSOR.decode(query.cursor);
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.internalUserId) {
      where.push(
        `exists (select 1 from memberships m where m.organization_id = o.id and m.user_id = ? and m.type in ('admin', 'member'))`,
      );
      params.push(query.internalUserId);
    }
    if (after) {
      where.push('(lower(o.name), o.id) > (?::text, ?::uuid)');
      params.push(after[0], after[1]);
    }
    const rows = await sql<OrganizationRow>(
      em,
      `${SELECT_ORGANIZATION} ${where.length ? 'where ' + where.join(' and ') : ''} order by lower(o.name), o.id ${ORGANIZATIONS_CURSOR.limitSql(query.limit)}`,
      params,
    );
    return ORGANIZATIONS_CURSOR.page(rows, query.limit, (row) => [row.sort_name, row.id], toDto);
  }

  /**
   * Takes the organization's row lock for the rest of the transaction. Changes that must keep an
   * organization invariant (its last admin) take it first, so they run one after the other and each
   * counts what the previous one committed. `no key update` rather than `update`: inserts elsewhere
   * that reference the organization (their foreign-key check takes `key share`) are not blocked, so
   * a group or membership write racing a removal cannot deadlock with it. False when the
   * organization does not exist.
   */
  async lock(em: EntityManager, id: string): Promise<boolean> {
    const rows = await sql(em, `select 1 from organizations where id = ? for no key update`, [id]);
    return rows.length > 0;
  }

  /**
   * Whether the email's domain belongs to an organization other than this one: its people are that
   * organization's to make internal (domain.md, "Rules on types").
   */
  async isDomainOfOtherOrganization(
    em: EntityManager,
    email: string,
    organizationId: string,
  ): Promise<boolean> {
    const rows = await sql(
      em,
      `select 1 from organization_domains where domain = ? and organization_id <> ?`,
      [emailDomain(email), organizationId],
    );
    return rows.length > 0;
  }
}
