import type { BenchState } from './bench-state';

export type CallerName = 'admin' | 'member';

/** One kind of request the bench drives, and how to tell that an answer really is that request's. */
export interface Scenario {
  key: string;
  title: string;
  /** What a person is doing when the client sends this. */
  meaning: string;
  caller: CallerName;
  /** null: measured, but judged elsewhere (the keyset pages are compared with each other). */
  p95TargetMs: number | null;
  /** Paths sent in turn, so caches and plans meet varied inputs. */
  paths: string[];
  /** Why an answer is not what the scenario asks for, or null when it is. */
  verify(body: unknown, path: string): string | null;
}

interface Page {
  items?: Record<string, unknown>[];
  nextCursor?: string | null;
}

const itemsOf = (body: unknown): Record<string, unknown>[] | undefined => {
  const items = (body as Page | undefined)?.items;
  return Array.isArray(items) ? items : undefined;
};

/** Words as the autocomplete splits them: on anything that is not a letter or a digit. */
const wordsOf = (text: unknown) =>
  String(text ?? '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u);

export function mainScenarios(state: BenchState): Scenario[] {
  const org = `/organizations/${state.bigOrganizationId}`;
  const tags = state.filterTagIds;
  return [
    {
      key: 'autocomplete',
      title: 'Autocomplete',
      meaning:
        "a member types two letters in the invite dropdown; the big organization's users whose name or email has a word starting with them",
      caller: 'member',
      p95TargetMs: 10,
      paths: state.prefixes.map(({ prefix }) => `${org}/members?q=${prefix}&limit=10`),
      verify(body, path) {
        const items = itemsOf(body);
        if (!items || items.length === 0) return 'no items';
        if (items.length > 10) return `${items.length} items for limit=10`;
        const prefix = new URL(path, 'http://x').searchParams.get('q')!;
        const stray = items.find(
          (item) => ![...wordsOf(item.name), ...wordsOf(item.email)].some((w) => w.startsWith(prefix)),
        );
        return stray ? `"${String(stray.email)}" has no word starting with "${prefix}": q is ignored` : null;
      },
    },
    {
      key: 'admin-tags',
      title: 'Admin, tag filter',
      meaning: "an admin filters the organization's projects by three tags (projects having all three)",
      caller: 'admin',
      p95TargetMs: 20,
      paths: [
        `${org}/projects?tags=${tags.join(',')}&limit=50`,
        `${org}/projects?tags=${[tags[1], tags[2], tags[0]].join(',')}&limit=50`,
      ],
      verify(body) {
        const items = itemsOf(body);
        if (!items || items.length === 0) return 'no items';
        const stray = items.find((item) => {
          const ids = Array.isArray(item.tags) ? item.tags.map((tag: { id?: string }) => tag.id) : [];
          return !tags.every((id) => ids.includes(id));
        });
        return stray ? `project ${String(stray.id)} lacks one of the tags: the filter is ignored` : null;
      },
    },
    {
      key: 'member-list',
      title: 'Member project list',
      meaning: `a member opens the projects page: the ${state.sampleMember.projectCount} projects they collaborate on, 50 a page`,
      caller: 'member',
      p95TargetMs: 10,
      paths: [`${org}/projects?limit=50`],
      verify(body) {
        const items = itemsOf(body);
        if (!items || items.length === 0) return 'no items';
        const stray = items.find((item) => item.myRole == null);
        return stray ? `project ${String(stray.id)} without myRole in a member's list` : null;
      },
    },
    {
      key: 'collaborator-get',
      title: 'Collaborator opens a project',
      meaning: 'a collaborator opens one of their projects',
      caller: 'member',
      p95TargetMs: 5,
      paths: state.sampleProjectIds.map((id) => `/projects/${id}`),
      verify(body, path) {
        const id = (body as { id?: string } | undefined)?.id;
        return id && path.endsWith(id) ? null : `answered project ${String(id)} for ${path}`;
      },
    },
  ];
}

/** The admin's unfiltered project list at page 1 and at page 1,000 (after 999 cursors). */
export function keysetScenarios(state: BenchState, cursorOfPage1000: string): Scenario[] {
  const list = `/organizations/${state.bigOrganizationId}/projects?limit=50`;
  const fullPage = (body: unknown) => (itemsOf(body)?.length === 50 ? null : 'not a full page of 50');
  return [
    {
      key: 'admin-page-1',
      title: 'Admin list, page 1',
      meaning: "an admin opens the organization's project list",
      caller: 'admin',
      p95TargetMs: null,
      paths: [list],
      verify: fullPage,
    },
    {
      key: 'admin-page-1000',
      title: 'Admin list, page 1,000',
      meaning: 'the same list, 999 pages further (keyset cursor)',
      caller: 'admin',
      p95TargetMs: null,
      paths: [`${list}&cursor=${encodeURIComponent(cursorOfPage1000)}`],
      verify: fullPage,
    },
  ];
}

export const adminListPath = (state: BenchState) =>
  `/organizations/${state.bigOrganizationId}/projects?limit=50`;

export const nextCursorOf = (body: unknown): string | null => (body as Page | undefined)?.nextCursor ?? null;
