import type { BenchState } from './bench-state';
import type { BenchRequest } from './load';

/**
 * Who sends a scenario's requests: the admin and the sample member with our own tokens; the admin's
 * service account with its API key and the admin with a token from a trusted identity provider (RS256).
 */
export type CallerName = 'admin' | 'member' | 'adminApiKey' | 'adminOidc';

/** One kind of request the bench drives, and how to tell that an answer really is that request's. */
export interface Scenario {
  key: string;
  title: string;
  /** What a person is doing when the client sends this. */
  meaning: string;
  caller: CallerName;
  /** null: measured, but judged elsewhere (the keyset pages are compared with each other). */
  p95TargetMs: number | null;
  /** Paths sent in turn, so caches and plans meet varied inputs (reads). */
  paths: string[];
  /** Why an answer is not what the scenario asks for, or null when it is. */
  verify(body: unknown, path: string): string | null;
  /** The ideal baseline server answers the same paths (bench/baselines/ideal-server.ts). */
  ideal?: boolean;
}

/** A write: each request is new (`request(n)` for n = 0, 1, 2, ...), since a repeated write would only be refused. */
export interface WriteScenario {
  key: string;
  title: string;
  meaning: string;
  caller: CallerName;
  p95TargetMs: number;
  request(n: number): BenchRequest;
}

/** What the write scenarios act on, prepared by bench/fixtures.ts before they run. */
export interface WriteInputs {
  /** Unique per bench run, so that emails and titles of one run never meet another's. */
  runId: string;
  /** An email domain of the big organization: added members are internal there. */
  bigDomain: string;
  /** Projects of the big organization, each tagged or invited to at most once per run. */
  projectIds: string[];
  /** Projects the admin joined, whose collaborators they may manage: the invitations go to these in turn. */
  invitationProjectIds: string[];
  /** A tag made for this run, on none of those projects yet. */
  tagId: string;
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
      ideal: true,
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
      ideal: true,
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
      ideal: true,
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
      ideal: true,
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
      ideal: true,
      title: 'Admin list, page 1',
      meaning: "an admin opens the organization's project list",
      caller: 'admin',
      p95TargetMs: null,
      paths: [list],
      verify: fullPage,
    },
    {
      key: 'admin-page-1000',
      ideal: true,
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

const projectAnswer = (body: unknown, path: string) => {
  const id = (body as { id?: string } | undefined)?.id;
  return id && path.endsWith(id) ? null : `answered project ${String(id)} for ${path}`;
};

/**
 * The same request, "an admin opens a project", with each way in: our own token, the admin service
 * account's API key, a token of a trusted identity provider (RS256). Issue 11: at most 1.2 x the cost of
 * our own token.
 */
export function identityScenarios(state: BenchState): Scenario[] {
  const paths = state.sampleProjectIds.map((id) => `/projects/${id}`);
  const base = { p95TargetMs: null, paths, verify: projectAnswer };
  return [
    {
      ...base,
      key: 'admin-get-token',
      title: 'Admin opens a project (own token)',
      meaning: 'an admin opens a project of the organization, signed in with our HS256 access token',
      caller: 'admin',
    },
    {
      ...base,
      key: 'admin-get-api-key',
      title: 'Admin opens a project (API key)',
      meaning: "the same request from a backend, with an admin service account's API key",
      caller: 'adminApiKey',
    },
    {
      ...base,
      key: 'admin-get-oidc',
      title: 'Admin opens a project (RS256 IdP token)',
      meaning: "the same request with an RS256 token of the company's identity provider (OIDC_ISSUERS)",
      caller: 'adminOidc',
    },
  ];
}

/** Issue 10 item 6: the writes people make all day, each at 16 connections. */
export function writeScenarios(state: BenchState, inputs: WriteInputs): WriteScenario[] {
  const org = `/organizations/${state.bigOrganizationId}`;
  const project = (n: number) => inputs.projectIds[n % inputs.projectIds.length];
  return [
    {
      key: 'write-add-member',
      title: 'Add a member',
      meaning: 'an admin adds a new colleague by email (an invited user, a membership, an invitation mail)',
      caller: 'admin',
      p95TargetMs: 25,
      request: (n) => ({
        method: 'POST',
        path: `${org}/members`,
        body: { email: `bench.${inputs.runId}.m${n}@${inputs.bigDomain}`, type: 'member' },
      }),
    },
    {
      key: 'write-invite-collaborator',
      title: 'Invite a collaborator by email',
      meaning: 'an admin invites an outside annotator to a project by email',
      caller: 'admin',
      p95TargetMs: 25,
      request: (n) => ({
        method: 'POST',
        path: `/projects/${inputs.invitationProjectIds[n % inputs.invitationProjectIds.length]}/collaborators`,
        body: { emails: [`bench.${inputs.runId}.c${n}@annotators.example`], role: 'annotator' },
      }),
    },
    {
      key: 'write-tag-project',
      title: 'Tag a project',
      meaning: 'an admin puts a tag on a project',
      caller: 'admin',
      p95TargetMs: 25,
      request: (n) => ({
        method: 'POST',
        path: `/projects/${project(n)}/tags`,
        body: { tagId: inputs.tagId },
      }),
    },
    {
      key: 'write-create-project',
      title: 'Create a project',
      meaning: 'an admin creates a project (they become its admin and owner)',
      caller: 'admin',
      p95TargetMs: 25,
      request: (n) => ({
        method: 'POST',
        path: '/projects',
        body: { title: `bench ${inputs.runId} project ${n}`, description: 'made by npm run bench' },
      }),
    },
  ];
}
