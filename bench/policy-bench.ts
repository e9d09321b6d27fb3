import { subject } from '@casl/ability';
import { AbilityFactory } from '../src/policy/ability.factory';
import { PolicyRules } from '../src/policy/policy-rules';
import { defineMembershipRules } from '../src/modules/membership/membership.rules';
import { defineOrganizationRules } from '../src/modules/organizations/organizations.rules';
import { definePlatformRules } from '../src/modules/platform/platform.rules';
import { defineResourceRules } from '../src/modules/resources/resources.rules';
import { Action, SubjectType } from '../src/policy/actions';
import { PolicyContext } from '../src/policy/policy-context';

export interface PolicyBenchResult {
  case: string;
  iterations: number;
  p50Micros: number;
  p99Micros: number;
  maxMicros: number;
}

const ORG = '6f1c1f4e-7a53-4f0e-9a3e-3d1b9c2a0001';
const USER = '6f1c1f4e-7a53-4f0e-9a3e-3d1b9c2a0002';
const PROJECT = '6f1c1f4e-7a53-4f0e-9a3e-3d1b9c2a0003';

/** What one request costs the policy engine: build the caller's ability, check one action. */
const CASES: { name: string; ctx: PolicyContext; action: Action; subjectType: SubjectType; row: object }[] = [
  {
    name: 'member opens a project they annotate (GET /projects/{id})',
    ctx: {
      caller: { userId: USER, scheme: 'session', isPlatformAdmin: false },
      organization: { id: ORG, isWorkforce: false, membershipType: 'member' },
      resource: { id: PROJECT, kind: 'project', organizationId: ORG, role: 'annotator' },
    },
    action: 'read',
    subjectType: 'Resource',
    row: { id: PROJECT, kind: 'project', organizationId: ORG, role: 'annotator' },
  },
  {
    name: "member lists the organization's projects",
    ctx: {
      caller: { userId: USER, scheme: 'session', isPlatformAdmin: false },
      organization: { id: ORG, isWorkforce: false, membershipType: 'member' },
    },
    action: 'list',
    subjectType: 'Resource',
    row: { organizationId: ORG, memberIds: [USER] },
  },
];

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/**
 * Times each case one iteration at a time (hrtime around build + check), after a warm-up that lets
 * the JIT settle; GC pauses stay in, as a request would meet them.
 */
export function runPolicyBenchmark(iterations = 100_000, warmup = 20_000): PolicyBenchResult[] {
  const rules = new PolicyRules();
  rules.add(definePlatformRules, defineOrganizationRules, defineMembershipRules, defineResourceRules);
  const factory = new AbilityFactory(rules);
  return CASES.map((c) => {
    const target = subject(c.subjectType as 'Resource', { ...c.row } as Record<string, unknown>);
    let allowed = 0;
    const once = () => {
      const ability = factory.build(c.ctx);
      if (ability.can(c.action, target)) allowed++;
    };
    for (let i = 0; i < warmup; i++) once();
    const times = new Float64Array(iterations);
    for (let i = 0; i < iterations; i++) {
      const started = process.hrtime.bigint();
      once();
      times[i] = Number(process.hrtime.bigint() - started) / 1000;
    }
    // A case the policy refuses would time the deny path, not the one requests take.
    if (allowed !== iterations + warmup) throw new Error(`policy refused "${c.name}"`);
    times.sort();
    return {
      case: c.name,
      iterations,
      p50Micros: percentile(times, 50),
      p99Micros: percentile(times, 99),
      maxMicros: times[times.length - 1],
    };
  });
}
