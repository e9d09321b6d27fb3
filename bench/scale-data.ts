import { Client } from 'pg';

/**
 * The scale data set as set-based SQL (INSERT ... SELECT generate_series), for any size: the bench
 * seeds it at full size, the plan tests at a few tens of thousands of rows. Ids are md5-derived
 * from row numbers (`user:42`), so every step can name any row without a lookup and two seeds of
 * the same size hold the same ids.
 */

export interface Scale {
  bigOrgUsers: number;
  smallOrgs: number;
  usersPerSmallOrg: number;
  projects: number;
  tags: number;
  maxTagsPerProject: number;
  groups: number;
  membersPerGroup: number;
  projectsPerGroup: number;
  /** Every n-th project has the sample member as a collaborator (every 2n-th as its admin). */
  sampleMemberEvery: number;
  /** One big-org user in this many is an admin besides the admin caller. */
  adminEvery: number;
}

/** What the issue asks for: 200,000 + 800,000 users, 100,000 projects, 500 tags. */
export const FULL_SCALE: Scale = {
  bigOrgUsers: 200_000,
  smallOrgs: 2_000,
  usersPerSmallOrg: 400,
  projects: 100_000,
  tags: 500,
  maxTagsPerProject: 5,
  groups: 100,
  membersPerGroup: 20,
  projectsPerGroup: 10,
  sampleMemberEvery: 500,
  adminEvery: 20_000,
};

export const totalUsers = (scale: Scale) => scale.bigOrgUsers + scale.smallOrgs * scale.usersPerSmallOrg;

export const BIG_ORG_NAME = 'Bench Big Corp';
export const BIG_DOMAIN = 'bigcorp.example';
export const ADMIN_EMAIL = `admin@${BIG_DOMAIN}`;
export const SAMPLE_EMAIL = `sample.member@${BIG_DOMAIN}`;
export const AUTOCOMPLETE_PREFIXES = ['jo', 'ma', 'da', 'sa', 'ch', 'li', 'ke', 'ro'];

// Common names from several languages, an accented one among them so unaccent is exercised.
const FIRST_NAMES = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth',
  'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Christopher', 'Nancy', 'Daniel', 'Lisa', 'Matthew', 'Betty', 'Anthony', 'Margaret', 'Mark', 'Sandra',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle',
  'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Dorothy', 'George', 'Melissa', 'Timothy', 'Deborah',
  'Aisha', 'Chen', 'Priya', 'Mateo', 'Olga', 'Yuki', 'Fatima', 'Lucas', 'Sofia', 'Noah',
]; // prettier-ignore
const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Müller', 'Kowalski', 'Novak', 'Tanaka', 'Okafor', 'Patel', 'Singh', 'Kim', 'Dubois', 'Rossi',
]; // prettier-ignore
const TAG_ADJECTIVES = [
  'Urgent', 'Medical', 'Retail', 'Aerial', 'Night', 'Indoor', 'Outdoor', 'Legacy', 'Pilot', 'Synthetic',
  'Audited', 'Blurred', 'Crowded', 'Dense', 'Edge', 'Frozen', 'Golden', 'Hazy', 'Internal', 'Jittery',
  'Key', 'Long', 'Multi', 'Noisy', 'Open',
]; // prettier-ignore
const TAG_NOUNS = [
  'Imaging', 'Video', 'Text', 'Audio', 'Lidar', 'Satellite', 'Drone', 'Traffic', 'Faces', 'Documents',
  'Retail', 'Robotics', 'Agriculture', 'Sports', 'Medical', 'Maps', 'Speech', 'Radar', 'Thermal', 'Xray',
]; // prettier-ignore

/**
 * The deterministic uuid of row `n` of a kind, as SQL: the md5 of `user:42` with the version (4) and
 * variant (8) digits set, so it is a valid RFC 4122 uuid that validators accept, like gen_random_uuid()'s.
 */
export const uuidSql = (kind: string, n: number | string) =>
  `overlay(overlay(md5('${kind}:' || ${n}) placing '4' from 13 for 1) placing '8' from 17 for 1)::uuid`;
export const BIG_ORG_SQL = uuidSql('org', 0);
const BIG_ORG = BIG_ORG_SQL;

export interface SeedStep {
  name: string;
  /** Rows to go through, in chunks of `(from, to)` numbers; one run when absent. */
  total?: number;
  /**
   * Tables whose indexes are dropped for the step and built again after it: one sort per index
   * instead of millions of random inserts into it (the word index loads four times faster). Not
   * those whose unique indexes the step's `on conflict do nothing` needs.
   */
  indexesOf?: string[];
  /** Tables whose foreign keys are dropped for the step and added again (so checked) after it. */
  foreignKeysOf?: string[];
  /**
   * Row triggers disabled for the step, which have nothing to do on the seed's rows: `violations`
   * finds in one query any row they would have rejected or changed, and the seed fails on it.
   */
  triggersOff?: { table: string; triggers: string[]; violations: string };
  /** Analyzed after the step, so the next steps' joins are planned for their real size. */
  writes: string[];
  run(client: Client, from: number, to: number): Promise<unknown>;
}

/** The seed makes none: the service-account triggers have nothing to check. */
const SERVICE_ACCOUNTS = `select 'service account' from users where service_account_organization_id is not null`;

/**
 * The steps, in order. They expect the `memberships_search_words` trigger disabled (one step fills
 * the word index in a single pass) and run best inside one transaction.
 */
export function seedSteps(scale: Scale, passwordHash: string): SeedStep[] {
  const { bigOrgUsers, usersPerSmallOrg, projects } = scale;
  /** The organization of user number `i`: the big one first, then `usersPerSmallOrg` per small one. */
  const orgOfUser = (i: string) =>
    `case when ${i} <= ${bigOrgUsers} then ${BIG_ORG}
          else ${uuidSql('org', `((${i} - ${bigOrgUsers} - 1) / ${usersPerSmallOrg} + 1)`)} end`;
  /** A big-org user other than the admin caller (1) and the sample member (2). */
  const someBigOrgUser = (expr: string) => `(3 + (${expr}) % ${bigOrgUsers - 2})`;
  /** The owner of project `p`: the sample member for every 2n-th, someone else otherwise. */
  const ownerOfProject = (p: string) =>
    `case when ${p} % ${scale.sampleMemberEvery * 2} = 0 then 2 else ${someBigOrgUser(`${p}::bigint * 7919`)} end`;
  const users = totalUsers(scale);

  return [
    {
      name: 'organizations',
      writes: ['organizations', 'organization_domains'],
      async run(client) {
        await client.query(
          `insert into organizations (id, created_at, name, is_workforce)
           select ${BIG_ORG}, now() - interval '3 years', $1, false
           union all
           select ${uuidSql('org', 'k')}, now() - make_interval(days => k % 900), 'Small Co ' || k, false
             from generate_series(1, ${scale.smallOrgs}) k`,
          [BIG_ORG_NAME],
        );
        await client.query(
          `insert into organization_domains (id, created_at, organization_id, domain)
           select gen_random_uuid(), now(), ${BIG_ORG}, $1
           union all
           select gen_random_uuid(), now(), ${uuidSql('org', 'k')}, 'smallco-' || k || '.example'
             from generate_series(1, ${scale.smallOrgs}) k`,
          [BIG_DOMAIN],
        );
      },
    },
    {
      name: 'users',
      writes: ['users'],
      indexesOf: ['users'],
      foreignKeysOf: ['users'],
      total: users,
      run: (client, from, to) =>
        client.query(
          `insert into users (id, created_at, email, name, password_hash, email_verified_at, is_platform_admin)
           select ${uuidSql('user', 'i')}, now() - make_interval(secs => i * 60),
                  case i when 1 then $4 when 2 then $5
                         else lower(unaccent(n.first)) || '.' || lower(unaccent(n.last)) || '.' || i || '@' || n.domain end,
                  case i when 1 then 'Ada Admin' when 2 then 'Sam Sample' else n.first || ' ' || n.last end,
                  $3, now(), false
             from generate_series($6::int, $7::int) as i,
                  -- A multiplicative hash spreads the name combinations, so no surname clusters by join date.
                  lateral (select (i::bigint * 2654435761) % (cardinality($1::text[]) * cardinality($2::text[])) as combo) as k,
                  lateral (select ($1::text[])[1 + k.combo % cardinality($1::text[])] as first,
                                  ($2::text[])[1 + (k.combo / cardinality($1::text[])) % cardinality($2::text[])] as last,
                                  case when i <= ${bigOrgUsers} then '${BIG_DOMAIN}'
                                       else 'smallco-' || ((i - ${bigOrgUsers} - 1) / ${usersPerSmallOrg} + 1) || '.example'
                                  end as domain) as n`,
          [FIRST_NAMES, LAST_NAMES, passwordHash, ADMIN_EMAIL, SAMPLE_EMAIL, from, to],
        ),
    },
    {
      name: 'memberships',
      writes: ['memberships'],
      total: users,
      indexesOf: ['memberships'],
      foreignKeysOf: ['memberships'],
      triggersOff: {
        table: 'memberships',
        triggers: ['memberships_internal_never_expire', 'memberships_service_account_home'],
        violations: `select 'internal membership with an expiry' from memberships
                      where type in ('admin', 'member') and (expires_at is not null or expiry_warned_at is not null)
                     union all
                     ${SERVICE_ACCOUNTS}`,
      },
      run: (client, from, to) =>
        client.query(
          `insert into memberships (id, created_at, organization_id, user_id, type)
           select ${uuidSql('membership', 'i')}, now() - make_interval(secs => i * 60), ${orgOfUser('i')},
                  ${uuidSql('user', 'i')},
                  case when i = 1 or (i <= ${bigOrgUsers} and i % ${scale.adminEvery} = 0) then 'admin'
                       when i > ${bigOrgUsers} and (i - ${bigOrgUsers} - 1) % ${usersPerSmallOrg} = 0 then 'admin'
                       else 'member' end
             from generate_series($1::int, $2::int) as i`,
          [from, to],
        ),
    },
    {
      // What the disabled trigger would have written, with its own function, in one pass per chunk.
      name: 'member search words',
      writes: ['member_search_words'],
      total: users,
      indexesOf: ['member_search_words'],
      run: (client, from, to) =>
        client.query(
          `insert into member_search_words (organization_id, word, user_id)
           select m.organization_id, w.word, m.user_id
             from generate_series($1::int, $2::int) as i
             join memberships m on m.user_id = ${uuidSql('user', 'i')}
             join users u on u.id = m.user_id,
                  lateral member_search_words_of(u.name, u.email) as w(word)`,
          [from, to],
        ),
    },
    {
      name: 'tags and groups',
      writes: ['tags', 'groups', 'group_members'],
      async run(client) {
        await client.query(
          `insert into tags (id, created_at, organization_id, name)
           select ${uuidSql('tag', 't')}, now() - make_interval(days => t), ${BIG_ORG},
                  ($1::text[])[1 + (t - 1) % cardinality($1::text[])] || ' ' ||
                  ($2::text[])[1 + ((t - 1) / cardinality($1::text[])) % cardinality($2::text[])]
             from generate_series(1, ${scale.tags}) t`,
          [TAG_ADJECTIVES, TAG_NOUNS],
        );
        await client.query(
          `insert into groups (id, created_at, organization_id, name, description)
           select ${uuidSql('group', 'g')}, now(), ${BIG_ORG}, 'Team ' || g, 'Annotation team ' || g
             from generate_series(1, ${scale.groups}) g`,
        );
        await client.query(
          `insert into group_members (id, created_at, group_id, user_id, organization_id)
           select gen_random_uuid(), now(), ${uuidSql('group', 'g')},
                  ${uuidSql('user', `case when g = 1 and j = 1 then 2 else ${someBigOrgUser('g * 1009 + j * 7907')} end`)},
                  ${BIG_ORG}
             from generate_series(1, ${scale.groups}) g, generate_series(1, ${scale.membersPerGroup}) j
           on conflict do nothing`,
        );
      },
    },
    {
      name: 'projects',
      writes: ['resources'],
      indexesOf: ['resources'],
      foreignKeysOf: ['resources'],
      total: projects,
      run: (client, from, to) =>
        client.query(
          `insert into resources (id, created_at, updated_at, kind, organization_id, owner_id, title, description)
           select ${uuidSql('project', 'p')}, t.at, t.at, 'project', ${BIG_ORG}, ${uuidSql('user', ownerOfProject('p'))},
                  ($1::text[])[1 + p % cardinality($1::text[])] || ' ' ||
                  ($2::text[])[1 + (p / 7) % cardinality($2::text[])] || ' #' || p,
                  'Annotation project number ' || p
             from generate_series($3::int, $4::int) as p,
                  lateral (select now() - make_interval(secs => p * 300) as at) as t`,
          [TAG_ADJECTIVES, TAG_NOUNS, from, to],
        ),
    },
    {
      // Skewed (cube of a uniform draw): a few tags are on many projects, most on few, as in real use.
      name: 'project tags',
      writes: ['project_tags'],
      foreignKeysOf: ['project_tags'],
      total: projects,
      run: (client, from, to) =>
        client.query(
          `insert into project_tags (id, created_at, project_id, tag_id, organization_id)
           select gen_random_uuid(), now(), ${uuidSql('project', 'p')},
                  ${uuidSql('tag', `(1 + floor(${scale.tags} * power(random(), 3)))::int`)}, ${BIG_ORG}
             from generate_series($1::int, $2::int) as p, generate_series(1, ${scale.maxTagsPerProject}) as s
            where s <= p % ${scale.maxTagsPerProject + 1}
           on conflict do nothing`,
          [from, to],
        ),
    },
    {
      name: 'collaborators',
      writes: ['collaborators', 'resource_groups'],
      foreignKeysOf: ['collaborators'],
      triggersOff: {
        table: 'collaborators',
        triggers: ['collaborators_need_membership', 'collaborators_service_account_home'],
        violations: `select 'collaborator without a membership' from collaborators c
                      where c.organization_id is not null
                        and not exists (select 1 from memberships m
                                         where m.organization_id = c.organization_id and m.user_id = c.user_id)
                     union all
                     ${SERVICE_ACCOUNTS}`,
      },
      total: projects,
      async run(client, from, to) {
        // The owner is the project's admin; zero to two more people with other roles; the sample member.
        await client.query(
          `insert into collaborators (id, created_at, resource_id, user_id, role, organization_id)
           select gen_random_uuid(), now(), ${uuidSql('project', 'p')}, ${uuidSql('user', ownerOfProject('p'))}, 'admin', ${BIG_ORG}
             from generate_series($1::int, $2::int) as p
           union all
           select gen_random_uuid(), now(), ${uuidSql('project', 'p')},
                  ${uuidSql('user', someBigOrgUser('p::bigint * 104729 + s * 15485863'))},
                  (array['annotator', 'reviewer', 'annotator_reviewer', 'team_manager'])[1 + (p + s) % 4], ${BIG_ORG}
             from generate_series($1::int, $2::int) as p, generate_series(1, 2) as s
            where s <= p % 3
           union all
           select gen_random_uuid(), now(), ${uuidSql('project', 'p')}, ${uuidSql('user', 2)},
                  (array['annotator', 'reviewer', 'team_manager'])[1 + (p / ${scale.sampleMemberEvery}) % 3], ${BIG_ORG}
             from generate_series($1::int, $2::int) as p
            where p % ${scale.sampleMemberEvery} = 0 and p % ${scale.sampleMemberEvery * 2} <> 0
           on conflict do nothing`,
          [from, to],
        );
        if (to !== projects) return;
        await client.query(
          `insert into resource_groups (id, created_at, resource_id, group_id, role, organization_id)
           select gen_random_uuid(), now(),
                  ${uuidSql('project', `(1 + ((g * ${scale.projectsPerGroup} + k) * 491) % ${projects})`)},
                  ${uuidSql('group', 'g')}, 'annotator', ${BIG_ORG}
             from generate_series(1, ${scale.groups}) g, generate_series(1, ${scale.projectsPerGroup}) k
           on conflict do nothing`,
        );
      },
    },
  ];
}

/** The tables the seed writes, for counts and VACUUM ANALYZE. */
export const SEEDED_TABLES = [
  'users',
  'organizations',
  'organization_domains',
  'memberships',
  'member_search_words',
  'tags',
  'groups',
  'group_members',
  'resources',
  'project_tags',
  'collaborators',
  'resource_groups',
];

export interface SeedProgress {
  step(name: string, total: number): { update(done: number): void };
}

/**
 * Runs every step in the caller's open transaction, with the word-index trigger disabled for the
 * duration and each step's own indexes, foreign keys and triggers set aside while it loads (DDL is
 * transactional: a failed seed leaves the schema as it was). Returns each step's time.
 */
export async function runSeedSteps(
  client: Client,
  scale: Scale,
  passwordHash: string,
  options: { chunk?: number; progress?: SeedProgress } = {},
): Promise<{ step: string; seconds: number }[]> {
  const chunk = options.chunk ?? 50_000;
  const timings: { step: string; seconds: number }[] = [];
  // Each chunk's plan costs enough to be JIT-compiled, which costs more than it saves (a chunk of
  // member search words ran 10-25% faster without).
  await client.query(`select set_config('jit', 'off', true)`);
  await client.query(`select setseed(0.42)`);
  await client.query(`alter table memberships disable trigger memberships_search_words`);
  for (const step of seedSteps(scale, passwordHash)) {
    const started = Date.now();
    const total = step.total ?? 1;
    const bar = options.progress?.step(step.name, total);
    const deferred = await dropForBulkLoad(client, step);
    await setTriggers(client, step, 'disable');
    for (let from = 1; from <= total; from += chunk) {
      const to = Math.min(total, from + chunk - 1);
      await step.run(client, from, to);
      bar?.update(to);
    }
    // The deferred triggers' events fire now rather than at commit, the same work once: a table with
    // pending events cannot be altered, and later steps add foreign keys that reference it.
    await client.query('set constraints all immediate');
    await client.query('set constraints all deferred');
    if (deferred.length > 0) {
      const indexBar = options.progress?.step(`${step.name}: indexes and keys`, deferred.length);
      for (const [done, statement] of deferred.entries()) {
        await client.query(statement);
        indexBar?.update(done + 1);
      }
    }
    await setTriggers(client, step, 'enable');
    if (step.triggersOff) {
      const { rows } = await client.query<{ violation: string }>(
        `select violation from (${step.triggersOff.violations}) as v(violation) limit 1`,
      );
      if (rows.length > 0) throw new Error(`seed step ${step.name}: ${rows[0].violation}`);
    }
    await client.query(`analyze ${step.writes.join(', ')}`);
    timings.push({ step: step.name, seconds: (Date.now() - started) / 1000 });
  }
  await client.query(`alter table memberships enable trigger memberships_search_words`);
  return timings;
}

async function setTriggers(client: Client, step: SeedStep, action: 'enable' | 'disable'): Promise<void> {
  const { table, triggers } = step.triggersOff ?? { triggers: [] };
  for (const trigger of triggers) await client.query(`alter table ${table} ${action} trigger ${trigger}`);
}

/**
 * Drops the foreign keys of `foreignKeysOf`, then the indexes of `indexesOf` (and the primary key and
 * unique constraints they back) except those a foreign key depends on; returns the statements that
 * build them again, exactly as they were, indexes first. Adding a foreign key back checks every row in
 * one join, where keeping it checks each inserted row with an index lookup and a queued trigger event.
 */
async function dropForBulkLoad(
  client: Client,
  { indexesOf = [], foreignKeysOf = [] }: Pick<SeedStep, 'indexesOf' | 'foreignKeysOf'>,
): Promise<string[]> {
  const rebuildForeignKeys: string[] = [];
  for (const table of foreignKeysOf) {
    const { rows } = await client.query<{ name: string; def: string }>(
      `select quote_ident(conname) as name, pg_get_constraintdef(oid) as def
         from pg_constraint where conrelid = $1::regclass and contype = 'f' order by conname`,
      [table],
    );
    for (const row of rows) {
      await client.query(`alter table ${table} drop constraint ${row.name}`);
      rebuildForeignKeys.push(`alter table ${table} add constraint ${row.name} ${row.def}`);
    }
  }
  const rebuildIndexes: string[] = [];
  for (const table of indexesOf) {
    const { rows } = await client.query<{
      index_name: string;
      index_def: string;
      constraint_name: string | null;
      constraint_def: string | null;
    }>(
      `select quote_ident(ic.relname) as index_name, pg_get_indexdef(i.indexrelid) as index_def,
              quote_ident(c.conname) as constraint_name, pg_get_constraintdef(c.oid) as constraint_def
         from pg_index i
         join pg_class ic on ic.oid = i.indexrelid
         left join pg_constraint c on c.conindid = i.indexrelid and c.conrelid = i.indrelid
                                  and c.contype in ('p', 'u')
        where i.indrelid = $1::regclass
          and not exists (select 1 from pg_constraint f where f.contype = 'f' and f.conindid = i.indexrelid)
        order by i.indisprimary desc, ic.relname`,
      [table],
    );
    for (const row of rows) {
      if (row.constraint_name && row.constraint_def) {
        await client.query(`alter table ${table} drop constraint ${row.constraint_name}`);
        rebuildIndexes.push(
          `alter table ${table} add constraint ${row.constraint_name} ${row.constraint_def}`,
        );
      } else {
        await client.query(`drop index ${row.index_name}`);
        rebuildIndexes.push(row.index_def);
      }
    }
  }
  return [...rebuildIndexes, ...rebuildForeignKeys];
}
