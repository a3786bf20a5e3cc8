import { trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  MetricReader,
  type DataPoint,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { IDS } from '../../src/sandbox';
import { registerProviders, type RegisteredProviders } from '../../src/telemetry';
import { urlTemplate } from '../../src/telemetry/cloudSpans';
import { linkContext } from '../../src/telemetry/linkTrace';
import { actionData, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToChoose, startHarness, type Harness } from '../helpers/testApp';

/**
 * Issue 26, "Observable once it runs": a whole link on the sandbox, seen through in-memory
 * exporters: one trace per link with a span per step and job, a client span per Graph and ARM
 * call under them (with ARM's correlation ids), the link metrics, and no personal data in any
 * span or metric attribute.
 */

/** A metric reader the test collects from when it wants. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
const reader = new TestReader();
let providers: RegisteredProviders;
let h: Harness;
const chat = personalChat(USERS.kelley);

beforeAll(async () => {
  providers = registerProviders([new SimpleSpanProcessor(spans)], [reader]);
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
  await providers?.shutdown();
});

/** Every metric the reader has, by name. */
async function collected(): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  const out = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics) out.set(metric.descriptor.name, metric);
  return out;
}

/** Runs a whole link (the seeds' Pay-As-You-Go into Contoso) and returns its flow id. */
async function wholeLink(): Promise<string> {
  expect(await h.channel.say(USERS.kelley, 'link')).toBe(200);
  const flowId = String(actionData(h.channel.lastCard(chat).card, 'link.start').flowId);
  await click(h, USERS.kelley, chat, 'link.start');
  await click(h, USERS.kelley, chat, 'signin.select', {
    choice: `kelley-work|${IDS.tenants.contoso}`,
  });
  await click(h, USERS.kelley, chat, 'signin.select', {
    choice: `kelley-msa|${IDS.tenants.defaultDirectory}`,
  });
  await click(h, USERS.kelley, chat, 'subscription.choose', {
    subscriptionId: IDS.subscriptions.payAsYouGo,
  });
  await click(h, USERS.kelley, chat, 'impact.continue');
  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  await click(h, USERS.kelley, chat, 'access.grant', {
    principalIds: IDS.users.janeContoso,
    role: 'Contributor',
  });
  expect((await h.app.changes.get(flowId))?.status).toBe('notified');
  return flowId;
}

it('sees one trace per link: a span per step and job, Graph and ARM calls under them', async () => {
  const flowId = await wholeLink();
  const all = spans.getFinishedSpans();
  const traceId = trace.getSpanContext(linkContext(flowId))!.traceId;
  const link = all.filter((s) => s.spanContext().traceId === traceId);
  const steps = link.filter((s) => s.name.startsWith('link '));
  expect(steps.map((s) => s.attributes['tenantlink.step'])).toEqual(
    expect.arrayContaining([
      'welcome',
      'signIn.office365',
      'signIn.azure',
      'preflight',
      'impact.review',
      'job.impact',
      'confirm',
      'move.start',
      'job.move',
      'move.verify',
      'access.grant',
      'job.access',
      'access.after',
    ]),
  );
  for (const s of steps) expect(s.attributes['tenantlink.flow_id']).toBe(flowId);
  for (const s of steps) expect(s.attributes['tenantlink.dry_run']).toBe(false);
  // Every span of the link is in its trace, and no other span is: the link's trace is its own.
  const otherTraces = new Set(
    all.filter((s) => !link.includes(s)).map((s) => s.spanContext().traceId),
  );
  expect(otherTraces.has(traceId)).toBe(false);

  // Cloud calls: children of a step's span, named by URL template, with status and ids.
  const stepIds = new Set(steps.map((s) => s.spanContext().spanId));
  const calls = link.filter((s) => typeof s.attributes['tenantlink.api'] === 'string');
  const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
  const arm = calls.filter((s) => s.attributes['tenantlink.api'] === 'arm');
  const graph = calls.filter((s) => s.attributes['tenantlink.api'] === 'graph');
  expect(arm.length).toBeGreaterThan(3);
  expect(graph.length).toBeGreaterThan(1);
  for (const c of calls) {
    expect(stepIds.has(parentOf(c)!)).toBe(true);
    expect(c.attributes['http.response.status_code']).toEqual(expect.any(Number));
  }
  const accept = arm.find((s) => /acceptChangeTenant|changeTenantRequest/i.test(s.name));
  expect(accept?.attributes['azure.correlation_request_id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(arm.map((s) => s.name)).toContain(
    'GET /subscriptions/{id}/providers/Microsoft.Authorization/roleAssignments',
  );
});

it('counts the link and times its steps', async () => {
  const metrics = await collected();
  const sum = (name: string, attributes: Record<string, unknown> = {}): number =>
    ((metrics.get(name)?.dataPoints ?? []) as DataPoint<number>[])
      .filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
      .reduce((n, p) => n + p.value, 0);
  expect(sum('tenantlink.links.started')).toBe(1);
  expect(sum('tenantlink.links.ended', { 'tenantlink.outcome': 'linked' })).toBe(1);
  const durations = metrics.get('tenantlink.link.step.duration');
  expect(durations?.descriptor.unit).toBe('ms');
  const steps = new Set(durations?.dataPoints.map((p) => p.attributes['tenantlink.step']));
  expect(steps).toEqual(expect.objectContaining({ size: expect.any(Number) }));
  expect([...steps]).toEqual(expect.arrayContaining(['preflight', 'job.move']));
});

it('counts a failed link by its TL- code and a throttled call by its API', async () => {
  h.sandbox.setFaults({
    rules: [{ api: 'graph', status: 429, retryAfterSeconds: 0 }],
  });
  try {
    await h.channel.say(USERS.kelley, 'link');
    await click(h, USERS.kelley, chat, 'link.start');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `kelley-work|${IDS.tenants.contoso}`,
    });
  } finally {
    h.sandbox.setFaults({});
  }
  const code = /\((TL-[A-Z-]+)\)$/.exec(h.channel.texts(chat).at(-1) ?? '')?.[1];
  expect(code).toMatch(/^TL-/);
  const metrics = await collected();
  const points = (name: string) => (metrics.get(name)?.dataPoints ?? []) as DataPoint<number>[];
  expect(points('tenantlink.links.failed')).toEqual([
    expect.objectContaining({ attributes: { 'error.type': code }, value: 1 }),
  ]);
  expect(points('tenantlink.links.ended')).toContainEqual(
    expect.objectContaining({ attributes: { 'tenantlink.outcome': 'failed' }, value: 1 }),
  );
  const throttled = points('tenantlink.cloud.throttled');
  expect(throttled).toEqual([
    expect.objectContaining({ attributes: { 'tenantlink.api': 'graph' } }),
  ]);
  expect(throttled[0]!.value).toBeGreaterThan(1);
  const failedStep = spans
    .getFinishedSpans()
    .find((s) => s.name.startsWith('link ') && s.attributes['error.type'] === code);
  expect(failedStep).toBeDefined();
});

it('puts no token, email or name in any span or metric attribute', async () => {
  const texts: string[] = [];
  for (const s of spans.getFinishedSpans()) {
    texts.push(s.name);
    for (const v of Object.values(s.attributes)) texts.push(String(v));
  }
  for (const metric of (await collected()).values())
    for (const p of metric.dataPoints)
      for (const v of Object.values(p.attributes)) texts.push(String(v));
  expect(texts.length).toBeGreaterThan(50);
  const personal = [
    /@/,
    /eyJ[\w-]+\./, // a JWT
    /kelley|jane|tricia|sam\.dev|robin/i,
    /contoso|default directory|pay-as-you-go/i,
  ];
  const found = texts.filter((t) => personal.some((p) => p.test(t)));
  expect(found).toEqual([]);
});

describe('URL templates', () => {
  it.each([
    ['/v1.0/users/jane@contoso.com?$select=mail', '/v1.0/users/{id}'],
    [
      '/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole',
      '/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole',
    ],
    [
      `https://management.azure.com/subscriptions/${IDS.subscriptions.payAsYouGo}/resourceGroups/rg-kelley/providers/Microsoft.KeyVault/vaults/kv-kelley-web?api-version=2023-07-01`,
      '/subscriptions/{id}/resourceGroups/{id}/providers/Microsoft.KeyVault/vaults/{name}',
    ],
    [
      '/subscriptions/x/providers/Microsoft.Authorization/roleAssignments/7e1c?api-version=2022-04-01',
      '/subscriptions/{id}/providers/Microsoft.Authorization/roleAssignments/{name}',
    ],
    ['/users/kelley.wall%40outlook.com', '/users/{id}'],
  ])('%s → %s', (path, template) => {
    expect(urlTemplate(path)).toBe(template);
  });
});

it("marks a dry run's steps and its start with tenantlink.dry_run (the dry run's wiring)", async () => {
  spans.reset();
  await linkUpToChoose(h, { command: 'link --dry-run' });
  await h.channel.say(USERS.kelley, 'cancel');
  const steps = spans.getFinishedSpans().filter((s) => s.name.startsWith('link '));
  expect(steps.map((s) => s.attributes['tenantlink.step'])).toEqual(
    expect.arrayContaining(['welcome', 'signIn.office365', 'signIn.azure']),
  );
  for (const s of steps) expect(s.attributes['tenantlink.dry_run']).toBe(true);
  const started = ((await collected()).get('tenantlink.links.started')?.dataPoints ??
    []) as DataPoint<number>[];
  expect(started).toContainEqual(
    expect.objectContaining({ attributes: { 'tenantlink.dry_run': true }, value: 1 }),
  );
});
