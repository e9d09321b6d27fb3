import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'migrations' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => ({
  path: relative(SRC, path),
  text: readFileSync(path, 'utf8'),
}));

/** The module (folder under src/modules) that is the only one to write each table, and its entity classes. */
const WRITERS: { table: string; module: string; entities: string[] }[] = [
  { table: 'memberships', module: 'membership', entities: ['Membership'] },
  { table: 'invitations', module: 'membership', entities: ['Invitation'] },
  { table: 'collaborators', module: 'resources', entities: ['Collaborator'] },
  { table: 'group_members', module: 'groups', entities: ['GroupMember'] },
  { table: 'project_tags', module: 'tags', entities: ['ProjectTag'] },
  { table: 'audit_events', module: 'audit', entities: ['AuditEvent'] },
  { table: 'api_keys', module: 'service-accounts', entities: ['ApiKey'] },
];

const moduleOf = (path: string) => /^modules\/([^/]+)\//.exec(path)?.[1] ?? path;

describe('Where SQL lives', () => {
  it.each(WRITERS)('$table is written by the $module module only', ({ table, module, entities }) => {
    const writes = new RegExp(
      [
        `insert\\s+into\\s+${table}\\b`,
        `update\\s+${table}\\s+set\\b`,
        `delete\\s+from\\s+${table}\\b`,
        `deleteRowsOfUser\\([^)]*'${table}'`,
        ...entities.map((entity) => `(create|nativeDelete|nativeUpdate|nativeInsert)\\(\\s*${entity}\\b`),
      ].join('|'),
      'i',
    );
    const writers = [...new Set(files.filter((f) => writes.test(f.text)).map((f) => moduleOf(f.path)))];
    expect(writers.filter((writer) => writer !== module && writer !== 'common/tenant-rows.ts')).toEqual([]);
  });

  it('statements run through the one executor, sql() in src/database/sql.ts', () => {
    const bypassing = files
      .filter((f) =>
        /getConnection\(\)\s*\.execute\b|\.getConnection\(\)\s*\n\s*\.execute\b|execSql\(/.test(f.text),
      )
      .map((f) => f.path);
    expect(bypassing).toEqual([]);
  });
});
