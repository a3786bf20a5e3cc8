import fc from 'fast-check';
import { MemoryStorage } from 'botbuilder';
import { startApp, type App } from '../../src/app';
import { configureLogging } from '../../src/log';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { testLogging } from '../helpers/logging';
import { TeamsChannel, personalChat, type TeamsUser } from '../helpers/teamsChannel';
import type { Json } from '../helpers/sandboxHttp';
import { USERS, localTestConfig } from '../helpers/testApp';

/**
 * Model-based fuzzing of the whole link (issue 20): random sequences of messages and card actions
 * by the initiator (Kelley), a second admin (Jane) and a stranger (Megan), including stale and
 * repeated cards, forged card data, `cancel` at any point, bot restarts (state kept in the store,
 * sign-ins in the token service) and injected cloud faults, against the sandbox cloud. After every
 * sequence the invariants are checked on the sandbox and on what the bot answered:
 * - at most one directory change per subscription;
 * - no directory change before the initiator typed that subscription's name on the confirm card;
 * - no role assignment or invitation unless the initiator pressed the grant button;
 * - no 5xx answered to the channel (but 501 for an invoke the bot does not implement);
 * - no change record left in an in-flight state once background work is idle.
 * A failing sequence is shrunk by fast-check and printed with its seed (replay with
 * `LINK_FUZZ_SEED`). LINK_FUZZ_RUNS sets the number of sequences (`npm run fuzz` runs more).
 */

const RUNS = Number(process.env.LINK_FUZZ_RUNS ?? 12);
/**
 * `npm test` replays the same sequences every run (a fixed seed: CI cannot flake on a new random
 * draw); `npm run fuzz` (FUZZ_RANDOM=1) draws new ones; LINK_FUZZ_SEED replays a printed failure.
 */
const SEED = process.env.LINK_FUZZ_SEED
  ? Number(process.env.LINK_FUZZ_SEED)
  : process.env.FUZZ_RANDOM
    ? undefined
    : 20261130;
const PEOPLE = { kelley: USERS.kelley, jane: USERS.jane, megan: USERS.megan } as const;
type Who = keyof typeof PEOPLE;
const CHAT = personalChat(USERS.kelley);

/** One step of a sequence. `pick` chooses among what the card offers (verbs, choices, texts). */
type Step =
  | { readonly kind: 'say'; readonly who: Who; readonly text: string }
  | {
      readonly kind: 'click';
      readonly by: Who;
      readonly back: number;
      readonly pick: number;
      /** Follow the seeds' happy path (forward button, the cast's right values) rather than `pick`. */
      readonly happy: boolean;
    }
  | { readonly kind: 'forge'; readonly pick: number; readonly data: Record<string, string> }
  | { readonly kind: 'restart' }
  | { readonly kind: 'fault'; readonly api: 'arm' | 'graph'; readonly status: 429 | 500 | 503 };

const who = fc.oneof(
  { weight: 10, arbitrary: fc.constant<Who>('kelley') },
  { weight: 1, arbitrary: fc.constantFrom<Who>('jane', 'megan') },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('say' as const),
      who,
      text: fc.constantFrom('link', 'link', 'link --dry-run', 'cancel', 'help', 'status', 'hello'),
    }),
  },
  {
    weight: 14,
    arbitrary: fc.record({
      kind: fc.constant('click' as const),
      by: who,
      back: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(3) }),
      pick: fc.nat(20),
      happy: fc.oneof(
        { weight: 8, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('forge' as const),
      pick: fc.nat(20),
      data: fc.dictionary(
        fc.constantFrom('flowId', 'cardId', 'typedName', 'subscriptionId', 'principalIds', 'role'),
        fc.string({ maxLength: 40 }),
        { maxKeys: 3 },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fault' as const),
      api: fc.constantFrom('arm' as const, 'graph' as const),
      status: fc.constantFrom(429 as const, 500 as const, 503 as const),
    }),
  },
);

/** The Action.Execute buttons of a card, with their data. */
function buttons(card: Json): { verb: string; data: Record<string, unknown> }[] {
  const out: { verb: string; data: Record<string, unknown> }[] = [];
  const walk = (node: Json): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if (node.type === 'Action.Execute' && typeof node.verb === 'string')
        out.push({ verb: node.verb, data: { ...(node.data ?? {}) } });
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  return out;
}

/** The values of the seeds' happy path, taken when a card offers them. */
const HAPPY = [
  `kelley-work|${IDS.tenants.contoso}`,
  `kelley-msa|${IDS.tenants.defaultDirectory}`,
  IDS.subscriptions.payAsYouGo,
  IDS.users.janeContoso,
  'Reader',
];

/** Values a person could enter in the card's inputs, chosen by `pick` (or the happy path's). */
function inputs(card: Json, pick: number, names: string[], happy: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: Json): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if (typeof node.id === 'string' && typeof node.type === 'string') {
        if (node.type === 'Input.ChoiceSet') {
          const choices = (node.choices ?? []) as { value: string }[];
          const values = choices.length > 0 ? choices.map((c) => c.value) : [IDS.users.janeContoso];
          // The later a happy value in HAPPY, the more specific (the Azure sign-in lists both accounts).
          const right = [...HAPPY].reverse().find((v) => values.includes(v));
          out[node.id] = happy && right ? right : values[pick % values.length]!;
        } else if (node.type === 'Input.Text' && node.id === 'subscriptionId') {
          // The Azure sign-in's subscription id: its directory is discovered from it.
          const options = [IDS.subscriptions.payAsYouGo, '', 'not-an-id'];
          out[node.id] = happy ? IDS.subscriptions.payAsYouGo : options[pick % options.length]!;
        } else if (node.type === 'Input.Text') {
          const options = [...names, 'not the name', ''];
          out[node.id] = happy ? 'Pay-As-You-Go' : options[pick % options.length]!;
        } else if (node.type === 'Input.Toggle') {
          // The impact card's acknowledgements: a person on the happy path ticks them.
          out[node.id] = happy || pick % 2 === 0 ? 'true' : 'false';
        }
      }
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  return out;
}

/** The cards of Kelley's chat, newest last, as the user sees them now. */
function cards(channel: TeamsChannel): { id: string; card: Json }[] {
  const CARD = 'application/vnd.microsoft.card.adaptive';
  const all = channel.activities(CHAT);
  const ids = [
    ...new Set(
      all
        .filter((s) => s.kind === 'send' && s.activity.attachments?.[0]?.contentType === CARD)
        .map((s) => s.id),
    ),
  ];
  return ids.map((id) => {
    const current = all
      .filter((s) => s.id === id && s.activity.attachments?.[0]?.contentType === CARD)
      .at(-1)!;
    return { id, card: current.activity.attachments[0].content };
  });
}

/** What the model remembers of a sequence, to judge the sandbox's final state. */
interface Seen {
  readonly statuses: number[];
  /** Names Kelley typed on a move.confirm she pressed (lower case). */
  readonly confirmedNames: Set<string>;
  grantPressed: boolean;
}

let sandbox: SandboxCloud;
let channel: TeamsChannel;
let names: string[];

beforeAll(async () => {
  configureLogging(testLogging());
  sandbox = await startSandboxCloud();
  channel = new TeamsChannel('http://127.0.0.1:9/api/messages');
  await channel.start();
  names = sandbox.snapshot().subscriptions.map((s) => s.displayName);
});
afterAll(async () => {
  await channel?.stop();
  await sandbox?.stop();
});

async function boot(storage: MemoryStorage): Promise<App> {
  const app = await startApp(
    localTestConfig({
      CLOUD_TIMEOUT_MS: '3000',
      CLOUD_MAX_RETRIES: '2',
    }),
    { sandbox, storage },
  );
  channel.retarget(`${app.server.url}/api/messages`);
  return app;
}

/** Runs one sequence on a fresh world and checks the invariants. */
async function runSequence(steps: Step[]): Promise<void> {
  sandbox.reset();
  sandbox.resetCallCounts();
  channel.sent.length = 0;
  const storage = new MemoryStorage();
  let app = await boot(storage);
  const seen: Seen = { statuses: [], confirmedNames: new Set(), grantPressed: false };
  try {
    for (const s of steps) {
      if (s.kind === 'say') {
        seen.statuses.push(await channel.say(PEOPLE[s.who], s.text, CHAT));
      } else if (s.kind === 'restart') {
        await app.stop();
        app = await boot(storage);
      } else if (s.kind === 'fault') {
        sandbox.setFaults({
          rules: [{ api: s.api, status: s.status, count: 1, retryAfterSeconds: 0 }],
        });
      } else {
        const all = cards(channel);
        const target = all[all.length - 1 - (s.kind === 'click' ? s.back : 0)];
        if (!target) continue;
        const offered = buttons(target.card);
        const forward = offered.filter((b) => b.verb !== 'link.cancel');
        const happy = s.kind === 'click' && s.happy && forward.length > 0;
        const button = happy ? forward[0] : offered[s.pick % Math.max(offered.length, 1)];
        if (!button) continue;
        const by: TeamsUser = s.kind === 'click' ? PEOPLE[s.by] : USERS.kelley;
        const data =
          s.kind === 'click'
            ? { ...button.data, ...inputs(target.card, s.pick, names, happy) }
            : { ...button.data, ...s.data };
        if (by === USERS.kelley && button.verb === 'move.confirm')
          seen.confirmedNames.add(String(data.typedName ?? '').toLowerCase());
        if (by === USERS.kelley && button.verb === 'access.grant') seen.grantPressed = true;
        const answer = await channel.invoke(by, button.verb, data, target.id, CHAT);
        seen.statuses.push(answer.status);
      }
      await app.background.idle();
    }
    await app.background.idle();
    await checkInvariants(app, seen);
  } finally {
    await app.stop();
    sandbox.setFaults({});
  }
}

async function checkInvariants(app: App, seen: Seen): Promise<void> {
  const five = seen.statuses.filter((s) => s >= 500 && s !== 501);
  expect(five).toEqual([]);
  const world = sandbox.snapshot();
  const completed = world.changeTenantRequests.filter((r) => r.status === 'Completed');
  const perSubscription = new Map<string, number>();
  for (const r of completed)
    perSubscription.set(r.subscriptionId, (perSubscription.get(r.subscriptionId) ?? 0) + 1);
  expect([...perSubscription.values()].every((n) => n <= 1)).toBe(true);
  const writes = sandbox.writeLog();
  const nameOf = new Map(world.subscriptions.map((s) => [s.subscriptionId, s.displayName]));
  for (const w of writes.filter((x) => /changeTenantRequest|acceptChangeTenant/i.test(x.path))) {
    const id = /subscriptions\/([0-9a-f-]{36})/i.exec(w.path)?.[1] ?? '';
    expect(seen.confirmedNames.has((nameOf.get(id) ?? '?').toLowerCase())).toBe(true);
  }
  const grants = writes.filter(
    (w) => (w.api === 'arm' && /roleAssignments\//i.test(w.path)) || /invitations/i.test(w.path),
  );
  if (grants.length > 0) expect(seen.grantPressed).toBe(true);
  const records = await app.changes.recent(IDS.tenants.contoso, 50);
  const inFlight = records.filter((r) => r.status === 'confirmed' || r.status === 'moveRequested');
  expect(inFlight.map((r) => `${r.flowId}:${r.status}`)).toEqual([]);
}

it(
  `keeps the link's invariants over ${RUNS} random sequences of people, cards, restarts and faults`,
  async () => {
    let tried = 0;
    const reached = { cards: 0, moved: 0, granted: 0 };
    // Every sequence starts with Kelley asking for a link; what follows is random.
    const start: Step = { kind: 'say', who: 'kelley', text: 'link' };
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 40 }), async (steps) => {
        tried++;
        await runSequence([start, ...steps]);
        const world = sandbox.snapshot();
        if (cards(channel).length > 3) reached.cards++;
        if (world.changeTenantRequests.some((r) => r.status === 'Completed')) reached.moved++;
        if (sandbox.writeLog().some((w) => /roleAssignments\//i.test(w.path))) reached.granted++;
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: false },
    );
    process.stdout.write(
      `\nLink model fuzzing: ${tried} sequences tried, 0 violations; past the sign-ins in ${reached.cards}, moved in ${reached.moved}, granted in ${reached.granted}\n`,
    );
  },
  120_000 + RUNS * 20_000,
);
