import {
  ActivityTypes,
  MemoryStorage,
  TeamsSSOTokenExchangeMiddleware,
  TestAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
  type TokenExchangeRequest,
  type TokenResponse,
} from 'botbuilder';
import {
  UserTokenClient,
  type ClaimsIdentity,
  type SignInUrlResponse,
  type TokenStatus,
} from 'botframework-connector';
import { cloudClients } from '../../src/app';
import { BotTokenSource } from '../../src/auth/botTokenSource';
import type { OAuthConnections, Resource } from '../../src/auth/signIn';
import { SIGN_IN_DIALOG_IDS, composeBot, type ComposedBot } from '../../src/bot/compose';
import { OAuthSignInDialog } from '../../src/dialogs/oauthSignInDialog';
import { FirstWriteWinsStorage } from '../../src/state/createOnlyStorage';
import { Localizer } from '../../src/i18n';
import { configureLogging } from '../../src/log';
import { testLogging } from './logging';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { SandboxHttp, type Json } from './sandboxHttp';
import { acknowledged, actionData, type TeamsUser } from './teamsChannel';

/**
 * tenantlink's bot on botbuilder's TestAdapter with Bot Framework OAuth connections (the cloud
 * mode's sign-in: OAuthPrompt, BotTokenSource), against the sandbox cloud's Graph and ARM. The
 * tokens the test adds per connection are real sandbox tokens, so every step after sign-in runs
 * for real. The TestAdapter stands in for the Bot Framework token service (as the issue asks).
 */

/** The connection names the tests use (the defaults of .env.sample). */
export const CONNECTIONS: OAuthConnections = {
  graph: 'graph',
  azureTarget: 'azureTarget',
  azureSource: 'azureSource',
  azureSourceGraph: 'azureSourceGraph',
};
export const CHANNEL = 'msteams';
const CARD = 'application/vnd.microsoft.card.adaptive';
export const OAUTH_CARD = 'application/vnd.microsoft.card.oauth';

/**
 * TestAdapter with what tenantlink needs of a real adapter: proactive continuation (background
 * jobs and channel notifications) and a token exchange that, as the token service does, keeps the
 * exchanged token for the user.
 */
export class TeamsTestAdapter extends TestAdapter {
  override async continueConversationAsync(
    _botAppIdOrClaimsIdentity: string | ClaimsIdentity,
    reference: Partial<ConversationReference>,
    logicOrAudience: string | ((context: TurnContext) => Promise<void>),
    maybeLogic?: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const logic = typeof logicOrAudience === 'function' ? logicOrAudience : maybeLogic!;
    const activity = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: 'ContinueConversation' },
      reference,
      true,
    );
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  override async exchangeToken(
    context: TurnContext,
    connectionName: string,
    userId: string,
    request: TokenExchangeRequest,
  ): Promise<TokenResponse> {
    const response = await super.exchangeToken(context, connectionName, userId, request);
    if (response?.token)
      this.addUserToken(connectionName, context.activity.channelId, userId, response.token);
    return response;
  }
}

/** The bot's UserTokenClient over the TestAdapter's token store (used outside a turn too). */
class TestAdapterTokenClient extends UserTokenClient {
  constructor(private readonly adapter: TestAdapter) {
    super();
  }

  private context(userId: string, channelId: string): TurnContext {
    return new TurnContext(this.adapter, {
      type: ActivityTypes.Message,
      channelId,
      from: { id: userId, name: userId },
      conversation: { id: 'token-client', isGroup: false, name: '' },
      recipient: { id: 'bot', name: 'bot' },
    } as Partial<Activity>);
  }

  async getUserToken(
    userId: string,
    connectionName: string,
    channelId: string,
    magicCode: string,
  ): Promise<TokenResponse> {
    return this.adapter.getUserToken(this.context(userId, channelId), connectionName, magicCode);
  }

  async signOutUser(userId: string, connectionName: string, channelId: string): Promise<void> {
    await this.adapter.signOutUser(this.context(userId, channelId), connectionName, userId);
  }

  getSignInResource(): Promise<SignInUrlResponse> {
    throw new Error('not used by BotTokenSource');
  }
  getTokenStatus(): Promise<TokenStatus[]> {
    throw new Error('not used by BotTokenSource');
  }
  getAadTokens(): Promise<Record<string, TokenResponse>> {
    throw new Error('not used by BotTokenSource');
  }
  exchangeToken(): Promise<TokenResponse> {
    throw new Error('not used by BotTokenSource');
  }
}

/** One bot activity, as the test reads it. */
export type Reply = Partial<Activity> & { value?: Json };

/** The bot on a TestAdapter + the sandbox cloud. */
export interface OAuthHarness {
  readonly adapter: TeamsTestAdapter;
  readonly sandbox: SandboxCloud;
  readonly http: SandboxHttp;
  readonly bot: ComposedBot;
  /** Sends an activity from `user` in their personal chat; returns the bot's replies to it. */
  send(user: TeamsUser, activity: Partial<Activity>): Promise<Reply[]>;
  say(user: TeamsUser, text: string): Promise<Reply[]>;
  /** Clicks `verb` on the last adaptive card the bot sent to the user. */
  click(user: TeamsUser, verb: string, inputs?: Record<string, string>): Promise<Reply[]>;
  /** A sandbox access token for an account (`accountId` from the seed) in a directory. */
  token(
    signInName: string,
    tenantId: string,
    resource: Resource,
    password?: string,
  ): Promise<string>;
  stop(): Promise<void>;
}

/** Seed accounts of the happy path: Kelley's Office 365 admin and her Microsoft account. */
export const ACCOUNTS = {
  office365: { signInName: 'admin@contoso.onmicrosoft.com', tenantId: IDS.tenants.contoso },
  azure: { signInName: 'kelley.wall@outlook.com', tenantId: IDS.tenants.defaultDirectory },
} as const;

/** Starts the sandbox cloud and the bot on a TestAdapter. */
export async function startOAuthHarness(
  logging: Parameters<typeof configureLogging>[0] = testLogging(),
): Promise<OAuthHarness> {
  configureLogging(logging);
  const sandbox = await startSandboxCloud();
  const http = new SandboxHttp(sandbox);
  const localizer = new Localizer();
  const httpOptions = {
    caCertificatePem: sandbox.caCertificatePem,
    timeoutMs: 5000,
    maxRetries: 2,
  };
  let last = new Map<string, Reply[]>();
  // eslint-disable-next-line prefer-const -- assigned after the adapter that calls it is built
  let bot: ComposedBot;
  const adapter = new TeamsTestAdapter(async (context) => bot.bot.run(context), {
    channelId: CHANNEL,
  } as Partial<ConversationReference>);
  const storage = new MemoryStorage();
  // As src/app.ts does in cloud mode: one token exchange per exchange id, across devices.
  adapter.use(
    new TeamsSSOTokenExchangeMiddleware(new FirstWriteWinsStorage(storage), CONNECTIONS.graph),
  );
  const tokens = new BotTokenSource(
    async () => new TestAdapterTokenClient(adapter),
    CONNECTIONS,
    CHANNEL,
  );
  bot = composeBot({
    adapter,
    appId: '',
    storage,
    tokens,
    localizer,
    portalUrl: 'https://portal.azure.com',
    clients: cloudClients(sandbox, httpOptions, 'https://portal.azure.com'),
    signInDialogs: [
      new OAuthSignInDialog(
        SIGN_IN_DIALOG_IDS.office365,
        'office365',
        CONNECTIONS,
        tokens,
        localizer,
      ),
      new OAuthSignInDialog(SIGN_IN_DIALOG_IDS.azure, 'azure', CONNECTIONS, tokens, localizer),
    ],
  });

  const drain = (): Reply[] => adapter.activeQueue.splice(0) as Reply[];
  const send = async (user: TeamsUser, activity: Partial<Activity>): Promise<Reply[]> => {
    await adapter.processActivity({
      locale: 'en-US',
      ...activity,
      channelId: CHANNEL,
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      conversation: {
        id: `a:personal-${user.id}`,
        conversationType: 'personal',
        isGroup: false,
        name: '',
        tenantId: IDS.tenants.contoso,
      },
    } as Partial<Activity>);
    await bot.background.idle();
    const replies = drain();
    last.set(user.id, [...(last.get(user.id) ?? []), ...replies]);
    return replies;
  };
  const token = async (
    signInName: string,
    tenantId: string,
    resource: Resource,
    password?: string,
  ): Promise<string> => http.token(tenantId, signInName, resource, password);

  return {
    adapter,
    sandbox,
    http,
    bot,
    send,
    say: (user, text) => send(user, { type: ActivityTypes.Message, text }),
    async click(user, verb, inputs = {}) {
      const cards = (last.get(user.id) ?? [])
        .flatMap((a) => a.attachments ?? [])
        .filter((a) => a.contentType === CARD);
      const card = cards[cards.length - 1]?.content as Json;
      if (!card) throw new Error(`no card for ${user.id} to click ${verb}`);
      return send(user, {
        type: ActivityTypes.Invoke,
        name: 'adaptiveCard/action',
        value: {
          action: {
            type: 'Action.Execute',
            verb,
            data: {
              ...actionData(card, verb),
              ...(verb === 'impact.continue' ? acknowledged(card) : {}),
              ...inputs,
            },
          },
          trigger: 'manual',
        },
      });
    },
    token,
    async stop() {
      last = new Map();
      await bot.background.idle();
      await http.close();
      await sandbox.stop();
    },
  };
}

/** The invoke response among a turn's replies (TestAdapter queues it like any activity). */
export function invokeResponse(replies: Reply[]): { status: number; body?: Json } | undefined {
  return replies.find((r) => r.type === 'invokeResponse')?.value as
    { status: number; body?: Json } | undefined;
}

/** The OAuth cards among replies, with their connection names. */
export function oauthCards(replies: Reply[]): { connectionName: string; content: Json }[] {
  return replies
    .flatMap((r) => r.attachments ?? [])
    .filter((a) => a.contentType === OAUTH_CARD)
    .map((a) => ({
      connectionName: (a.content as Json).connectionName as string,
      content: a.content,
    }));
}
