import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Json } from './sandboxHttp';

/**
 * A stand-in for the Teams channel in dialog tests, over real HTTP in both directions: it posts
 * Teams-shaped activities to the bot's /api/messages (messages, Action.Execute invokes,
 * installation updates) and serves the Bot Connector endpoints the bot calls back
 * (`POST /v3/conversations/{id}/activities[/{replyToId}]`, `PUT …/activities/{id}`), recording
 * every activity the bot sends or updates, and the paged roster
 * (`GET /v3/conversations/{id}/pagedmembers?pageSize=&continuationToken=`, botframework-schema's
 * `PagedMembersResult` of `TeamsChannelAccount`s: {@link TeamsChannel.members}).
 */

/** A Teams user of the test. */
export interface TeamsUser {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
}

/** An activity the bot sent (or updated) to a conversation. */
export interface SentActivity {
  readonly id: string;
  readonly conversationId: string;
  readonly kind: 'send' | 'update';
  readonly activity: Json;
  /** `Date.now()` when the connector received it. */
  readonly at?: number;
}

/** Result of an invoke: the HTTP status and the invoke response body. */
export interface InvokeResult {
  readonly status: number;
  readonly body: Json;
}

export const TENANT_ID = 'cf2c1c8a-9a1b-4584-9523-71a6b29ed542';
const CARD = 'application/vnd.microsoft.card.adaptive';
const BOT = { id: '28:tenantlink-bot', name: 'tenantlink' };

/** The channel side of the tests. */
export class TeamsChannel {
  readonly sent: SentActivity[] = [];
  /** Status the connector answers to bot posts in a conversation (e.g. 403 for a removed bot). */
  readonly refuse = new Map<string, { status: number; code: string }>();
  /** How many more posts to a conversation the connector answers 429 (Retry-After: 1 s). */
  readonly throttle = new Map<string, number>();
  /** Posts the connector answered 429, per conversation. */
  readonly throttled = new Map<string, number>();
  /**
   * The members of every team and chat's roster (`GET …/pagedmembers`), each a Teams user of the
   * test: its `id` is the one its activities come `from` (Teams' user id, `29:…` in Teams).
   */
  readonly members: TeamsUser[] = [];
  /**
   * Most members on one roster page, under Teams' own bounds (a page size under 50 is read as
   * 50, over 500 as 500, none as 200): a test sets it low to make the roster span pages.
   */
  rosterPageSize = Infinity;
  /** Status the connector answers to roster reads of a conversation (e.g. 403, 404, 502). */
  readonly refuseRoster = new Map<string, { status: number; code: string }>();
  /** The roster reads the bot made, in order. */
  readonly rosterReads: {
    readonly conversationId: string;
    readonly pageSize?: number;
    readonly continuationToken?: string;
  }[] = [];
  /** The `locale` of the activities the users send (Teams sends the client's language). */
  locale = 'en-US';
  private server: Server | undefined;
  private serviceUrl = '';

  constructor(private botEndpoint: string) {}

  /** The Bot Connector URL this channel serves (the `serviceUrl` of its activities). */
  get connectorUrl(): string {
    return this.serviceUrl;
  }

  /** Sends the next activities to another bot endpoint (a restarted bot). */
  retarget(botEndpoint: string): void {
    this.botEndpoint = botEndpoint;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.connector(req).then(({ status, body, headers }) => {
        // restify patches ServerResponse.prototype.writeHead so that it does not return `this`.
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.serviceUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  /** The user says `text` in a personal chat (conversation id `personal:{user.id}`) or in `conversationId`. */
  async say(user: TeamsUser, text: string, conversationId = personalChat(user)): Promise<number> {
    const res = await this.post({
      ...this.base(user, conversationId),
      type: 'message',
      text,
      textFormat: 'plain',
    });
    return res.status;
  }

  /** The user clicks an Action.Execute button with `verb` and `data` on the card `replyToId`. */
  async invoke(
    user: TeamsUser,
    verb: string,
    data: Record<string, unknown>,
    replyToId: string,
    conversationId = personalChat(user),
  ): Promise<InvokeResult> {
    const result = await this.post({
      ...this.base(user, conversationId),
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId,
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    });
    // Teams replaces the card in place with the card of the invoke response.
    if (result.body?.type === CARD) {
      this.sent.push({
        id: replyToId,
        conversationId,
        kind: 'update',
        activity: { attachments: [{ contentType: CARD, content: result.body.value }] },
      });
    }
    return result;
  }

  /** The user types in a card's typeahead list (`application/search`); returns the bot's answer. */
  async search(
    user: TeamsUser,
    dataset: string,
    queryText: string,
    conversationId = personalChat(user),
  ): Promise<InvokeResult> {
    return this.post({
      ...this.base(user, conversationId),
      type: 'invoke',
      name: 'application/search',
      value: { queryText, dataset, queryOptions: { skip: 0, top: 15 } },
    });
  }

  /**
   * The user answers a file consent card (`fileConsent/invoke`, as Teams sends it: "Send and
   * receive files using bot", https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4):
   * `accept` with the `uploadInfo` of the upload session Teams made (in tests the sandbox's,
   * `sandbox.fileUploads.createSession`), or `decline`; `context` is the card's accept or
   * decline context.
   */
  async fileConsent(
    user: TeamsUser,
    action: 'accept' | 'decline',
    context: unknown,
    replyToId: string,
    uploadInfo?: Record<string, unknown>,
    conversationId = personalChat(user),
  ): Promise<InvokeResult> {
    return this.post({
      ...this.base(user, conversationId),
      type: 'invoke',
      name: 'fileConsent/invoke',
      replyToId,
      value: { type: 'fileUpload', action, context, ...(uploadInfo ? { uploadInfo } : {}) },
    });
  }

  /** Sends an arbitrary activity (for malformed-input tests). */
  async raw(activity: Record<string, unknown>): Promise<InvokeResult> {
    return this.post(activity);
  }

  /** The bot is added to a team (installationUpdate + conversationUpdate, as Teams sends them). */
  async installInTeam(user: TeamsUser, teamId: string, teamName: string): Promise<void> {
    const channelData = {
      team: { id: teamId, name: teamName },
      tenant: { id: TENANT_ID },
      eventType: 'teamMemberAdded',
    };
    const conversation = {
      id: teamId,
      conversationType: 'channel',
      isGroup: true,
      tenantId: TENANT_ID,
    };
    await this.post({
      ...this.base(user, teamId),
      conversation,
      channelData,
      type: 'installationUpdate',
      action: 'add',
    });
    await this.post({
      ...this.base(user, teamId),
      conversation,
      channelData,
      type: 'conversationUpdate',
      membersAdded: [BOT],
    });
  }

  /** Activities the bot sent to a conversation, oldest first. */
  activities(conversationId: string): SentActivity[] {
    return this.sent.filter((s) => s.conversationId === conversationId);
  }

  /** Texts the bot sent to a conversation. */
  texts(conversationId: string): string[] {
    return this.activities(conversationId)
      .map((s) => s.activity.text as string | undefined)
      .filter((t): t is string => typeof t === 'string');
  }

  /**
   * The last adaptive card the bot posted in a conversation, as the user sees it now (updated in
   * place by the bot or by an invoke response), with its activity id.
   */
  lastCard(conversationId: string): { id: string; card: Json } {
    const hasCard = (s: SentActivity): boolean => s.activity.attachments?.[0]?.contentType === CARD;
    const all = this.activities(conversationId);
    const last = all.filter((s) => s.kind === 'send' && hasCard(s)).at(-1);
    if (!last)
      throw new Error(
        `no card in ${conversationId}; texts: ${this.texts(conversationId).join(' | ')}`,
      );
    const current = all.filter((s) => s.id === last.id && hasCard(s)).at(-1) ?? last;
    return { id: last.id, card: current.activity.attachments[0].content };
  }

  private base(user: TeamsUser, conversationId: string): Record<string, unknown> {
    return {
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: this.serviceUrl,
      timestamp: new Date().toISOString(),
      locale: this.locale,
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      recipient: BOT,
      conversation: conversationOf(conversationId),
      channelData: { tenant: { id: TENANT_ID } },
    };
  }

  private async post(activity: Record<string, unknown>): Promise<InvokeResult> {
    const res = await fetch(this.botEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : undefined };
  }

  private async connector(
    req: IncomingMessage,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json) : {};
    const roster = /^\/v3\/conversations\/([^/]+)\/pagedmembers(?:\?|$)/.exec(req.url ?? '');
    if (roster?.[1] && req.method === 'GET')
      return this.roster(decodeURIComponent(roster[1]), new URL(req.url!, this.serviceUrl));
    const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
    if (!m?.[1]) return { status: 404, body: { error: { code: 'NotFound', message: req.url } } };
    const conversationId = decodeURIComponent(m[1]);
    const refused = this.refuse.get(conversationId);
    if (refused)
      return {
        status: refused.status,
        body: { error: { code: refused.code, message: 'refused by test' } },
      };
    const throttle = this.throttle.get(conversationId) ?? 0;
    if (throttle > 0 && req.method === 'POST') {
      this.throttle.set(conversationId, throttle - 1);
      this.throttled.set(conversationId, (this.throttled.get(conversationId) ?? 0) + 1);
      return {
        status: 429,
        body: { error: { code: 'TooManyRequests', message: 'throttled by test' } },
        headers: { 'retry-after': '1' },
      };
    }
    if (req.method === 'PUT' && m[2]) {
      this.sent.push({
        id: decodeURIComponent(m[2]),
        conversationId,
        kind: 'update',
        activity: body,
      });
      return { status: 200, body: { id: m[2] } };
    }
    const id = randomUUID();
    this.sent.push({ id, conversationId, kind: 'send', activity: body, at: Date.now() });
    return { status: 201, body: { id } };
  }

  /**
   * One page of a conversation's roster, as the Bot Connector answers `GET …/pagedmembers`: up to
   * the page size of {@link members} from the continuation token's offset, and the next token
   * while more remain (none on the last page).
   */
  private roster(conversationId: string, url: URL): { status: number; body: unknown } {
    const asked = url.searchParams.get('pageSize');
    const token = url.searchParams.get('continuationToken') ?? undefined;
    this.rosterReads.push({
      conversationId,
      ...(asked !== null ? { pageSize: Number(asked) } : {}),
      ...(token !== undefined ? { continuationToken: token } : {}),
    });
    const refused = this.refuseRoster.get(conversationId);
    if (refused)
      return {
        status: refused.status,
        body: { error: { code: refused.code, message: 'refused by test' } },
      };
    const teams = asked === null ? 200 : Math.min(500, Math.max(50, Number(asked)));
    const size = Math.min(teams, this.rosterPageSize);
    const from = token === undefined ? 0 : Number(/^page-(\d+)$/.exec(token)?.[1] ?? NaN);
    if (!Number.isInteger(from))
      return {
        status: 400,
        body: { error: { code: 'BadArgument', message: 'continuationToken' } },
      };
    const page = this.members.slice(from, from + size);
    const next = from + size < this.members.length ? `page-${from + size}` : undefined;
    return {
      status: 200,
      body: {
        members: page.map((u) => ({
          id: u.id,
          name: u.name,
          aadObjectId: u.aadObjectId,
          tenantId: TENANT_ID,
          userRole: 'user',
        })),
        ...(next ? { continuationToken: next } : {}),
      },
    };
  }
}

/** The personal chat id the harness uses for a user. */
export const personalChat = (user: TeamsUser): string => `a:personal-${user.id}`;

/** A group chat's conversation id (Teams' `19:…@thread.v2`). */
export const groupChat = (name: string): string => `19:${name}@thread.v2`;

/**
 * The conversation of an id as Teams describes it: `…@thread.v2` a group chat, `…@thread.tacv2` a
 * team's channel, anything else a personal chat.
 */
function conversationOf(id: string): Record<string, unknown> {
  const conversationType = id.endsWith('@thread.v2')
    ? 'groupChat'
    : id.endsWith('@thread.tacv2')
      ? 'channel'
      : 'personal';
  return {
    id,
    conversationType,
    tenantId: TENANT_ID,
    ...(conversationType === 'personal' ? {} : { isGroup: true }),
  };
}

/** Finds an Action.Execute of `verb` in a card (anywhere) and returns its `data`. */
export function actionData(card: Json, verb: string): Record<string, unknown> {
  const found: Json[] = [];
  const walk = (node: Json): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if (node.type === 'Action.Execute' && node.verb === verb) found.push(node);
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  if (!found[0])
    throw new Error(`no Action.Execute '${verb}' in card: ${JSON.stringify(card).slice(0, 400)}`);
  return { ...(found[0].data as Record<string, unknown>) };
}

/**
 * Every acknowledgement toggle of an impact card (`ack_…`) turned on, as an admin who read what
 * the move breaks would: `click` sends them with `impact.continue` unless the test sets its own.
 */
export function acknowledged(card: Record<string, unknown>): Record<string, string> {
  const acks: Record<string, string> = {};
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as { type?: unknown; id?: unknown };
      if (n.type === 'Input.Toggle' && typeof n.id === 'string' && n.id.startsWith('ack_'))
        acks[n.id] = 'true';
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  return acks;
}

/** Every string in a card, joined (to assert on what the user reads). */
export function cardText(card: Json): string {
  const out: string[] = [];
  const walk = (node: Json): void => {
    if (typeof node === 'string') out.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(card);
  return out.join('\n');
}
