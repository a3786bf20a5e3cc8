import { startApp, type App, type AppOptions } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { testLogging } from './logging';
import { configureLogging } from '../../src/log';
import {
  IDS,
  startSandboxCloud,
  type SandboxCloud,
  type SandboxCloudOptions,
  type Seed,
} from '../../src/sandbox';
import {
  TeamsChannel,
  acknowledged,
  actionData,
  personalChat,
  type TeamsUser,
} from './teamsChannel';

/** Teams identities of the seed's Contoso people. */
export const USERS = {
  kelley: { id: 'user-id-0', name: 'Kelley Wall', aadObjectId: IDS.users.kelleyContoso },
  jane: { id: 'user-id-1', name: 'Jane Doe', aadObjectId: IDS.users.janeContoso },
  megan: { id: 'user-id-3', name: 'Megan Bowen', aadObjectId: IDS.users.meganContoso },
} as const satisfies Record<string, TeamsUser>;

/**
 * The configuration of a tenantlink in local mode for a test: a free loopback port, no Playground,
 * and `env` on top (storage, cloud timeouts and retries, …).
 */
export function localTestConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    TENANTLINK_MODE: 'local',
    PORT: '0',
    HOST: '127.0.0.1',
    PLAYGROUND: 'off',
    // One key for every instance and restart of a test, as production configures one.
    TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY,
    ...env,
  });
}

/** The token cache key of tests (32 bytes, base64): sign-ins survive a restart and move across instances. */
export const TEST_TOKEN_CACHE_KEY = 'dGVuYW50bGluayB0ZXN0cyB0b2tlbiBjYWNoZSBrZXk=';

/** A running sandbox + tenantlink + test channel. */
export interface Harness {
  readonly sandbox: SandboxCloud;
  readonly app: App;
  readonly channel: TeamsChannel;
  stop(): Promise<void>;
}

/**
 * Starts the sandbox cloud, tenantlink in local mode on a free port, and the test channel.
 * @param sandboxOptions more options of the sandbox (e.g. a skewed identity platform clock)
 * @param appOptions more options of tenantlink (e.g. the approvals' clock)
 */
export async function startHarness(
  env: Record<string, string> = {},
  seed?: Seed,
  sandboxOptions: Omit<SandboxCloudOptions, 'seed'> = {},
  appOptions: Pick<AppOptions, 'now' | 'approvalPollMs'> = {},
): Promise<Harness> {
  configureLogging(testLogging());
  const sandbox = await startSandboxCloud({ ...sandboxOptions, ...(seed ? { seed } : {}) });
  const config = localTestConfig({
    STORAGE: 'memory',
    CLOUD_TIMEOUT_MS: '5000',
    CLOUD_MAX_RETRIES: '2',
    ...env,
  });
  const app = await startApp(config, { ...appOptions, sandbox });
  const channel = new TeamsChannel(`${app.server.url}/api/messages`);
  // The teams' rosters: the test's Teams users.
  channel.members.push(...Object.values(USERS));
  await channel.start();
  return {
    sandbox,
    app,
    channel,
    async stop() {
      await channel.stop();
      await app.stop();
      await sandbox.stop();
    },
  };
}

/**
 * Clicks `verb` on the last card of the conversation, adding `inputs` to the action data (and,
 * for `impact.continue`, the card's acknowledgements: see {@link acknowledged}).
 */
export async function click(
  h: Harness,
  user: TeamsUser,
  conversationId: string,
  verb: string,
  inputs: Record<string, string> = {},
  by: TeamsUser = user,
) {
  const { id, card } = h.channel.lastCard(conversationId);
  const result = await h.channel.invoke(
    by,
    verb,
    {
      ...actionData(card, verb),
      ...(verb === 'impact.continue' ? acknowledged(card) : {}),
      ...inputs,
    },
    id,
    conversationId,
  );
  // Long steps finish after the invoke is answered: wait for them as a person would.
  await h.app.background.idle();
  return result;
}

/** The choices of a whole link, all defaulting to the seeds' happy path. */
export interface LinkChoices {
  readonly command?: string;
  readonly office365?: string;
  readonly azure?: string;
  /** The subscription id given on the Azure sign-in card (its directory is then discovered). */
  readonly signInSubscriptionId?: string;
  readonly subscriptionId?: string;
  readonly typedName?: string;
  readonly principalIds?: readonly string[];
  readonly role?: 'Owner' | 'Contributor' | 'Reader';
  /** Whether the grant card's "give back the removed access" toggle is on (off when absent). */
  readonly restore?: boolean;
  /** The restorable assignments left checked on the grant card (all when absent). */
  readonly restoreIds?: readonly string[];
}

/** Runs a whole link as Kelley (or `user`) in the personal chat, clicking each card in turn. */
export async function runLink(
  h: Harness,
  choices: LinkChoices = {},
  user: TeamsUser = USERS.kelley,
): Promise<void> {
  const chat = personalChat(user);
  await linkUpToConfirm(h, choices, user);
  await click(h, user, chat, 'move.confirm', { typedName: choices.typedName ?? 'Pay-As-You-Go' });
  await click(h, user, chat, 'access.grant', {
    principalIds: (choices.principalIds ?? [IDS.users.janeContoso]).join(','),
    role: choices.role ?? 'Reader',
    ...(choices.restore === undefined ? {} : { restore: String(choices.restore) }),
    ...(choices.restoreIds === undefined ? {} : { restoreIds: choices.restoreIds.join(',') }),
  });
}

/** Runs a link up to the choose card: start and both sign-ins. */
export async function linkUpToChoose(
  h: Harness,
  choices: LinkChoices = {},
  user: TeamsUser = USERS.kelley,
): Promise<void> {
  const chat = personalChat(user);
  await h.channel.say(user, choices.command ?? 'link');
  await click(h, user, chat, 'link.start');
  await click(h, user, chat, 'signin.select', {
    choice: choices.office365 ?? `kelley-work|${IDS.tenants.contoso}`,
  });
  await click(h, user, chat, 'signin.select', {
    choice: choices.azure ?? `kelley-msa|${IDS.tenants.defaultDirectory}`,
    ...(choices.signInSubscriptionId ? { subscriptionId: choices.signInSubscriptionId } : {}),
  });
}

/**
 * Runs a link up to (not including) the confirm card's answer: start, both sign-ins, the
 * subscription and the impact review.
 */
export async function linkUpToConfirm(
  h: Harness,
  choices: LinkChoices = {},
  user: TeamsUser = USERS.kelley,
): Promise<void> {
  const chat = personalChat(user);
  await linkUpToChoose(h, choices, user);
  await click(h, user, chat, 'subscription.choose', {
    subscriptionId: choices.subscriptionId ?? IDS.subscriptions.payAsYouGo,
  });
  await click(h, user, chat, 'impact.continue');
}

/** The writes listed on the last dry-run plan card of a chat, as `METHOD path`, in order. */
export function dryRunPlan(h: Harness, conversationId: string): string[] {
  const planCard = h.channel
    .activities(conversationId)
    .filter((a) => a.kind === 'send' && a.activity.attachments)
    .at(-1)!;
  return (
    planCard.activity.attachments[0].content.body as {
      facts?: { title: string; value: string }[];
    }[]
  )
    .flatMap((b) => b.facts ?? [])
    .map((f) => `${f.title.replace(/^\d+\. /, '')} ${f.value}`);
}
