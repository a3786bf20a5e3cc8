import WebSocket from 'ws';
import type { Json } from '../helpers/sandboxHttp';

/**
 * Drives the Microsoft 365 Agents Playground (0.2.28) over its HTTP API as a person would through
 * its UI: messages, Action.Execute clicks, installing the bot in the mock team, and the stream of
 * everything the bot posts (DESIGN.md, "Driving the Agents Playground").
 */

/** A message the bot created in a conversation, as the playground's stream reports it. */
export interface StreamMessage {
  readonly action: string;
  readonly conversationId: string;
  readonly messageId: string;
  readonly text?: string;
  readonly card?: Json;
}

/** Client of one running playground. */
export class PlaygroundDriver {
  private readonly messages: StreamMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private ws: WebSocket | undefined;

  constructor(private readonly baseUrl: string) {}

  /** Opens the message stream. */
  async connect(): Promise<void> {
    const ws = new WebSocket(
      `${this.baseUrl.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`,
    );
    ws.on('message', (raw: WebSocket.RawData) => {
      const event = JSON.parse(raw.toString()) as Json;
      const m = event.message ?? {};
      const attachment = (m.attachments ?? []).find(
        (a: Json) => a.contentType === 'application/vnd.microsoft.card.adaptive',
      );
      this.messages.push({
        action: String(event.action),
        conversationId: String(event.actionConversationId),
        messageId: String(m.messageId),
        text: typeof m.text === 'string' ? m.text : undefined,
        card: attachment?.content,
      });
      for (const wake of this.waiters) wake();
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.ws = ws;
  }

  /** The mock world: tenant, bot, current user, personal chat, teams. */
  async config(): Promise<Json> {
    return ((await this.json('GET', '/_internal/v1/config')) as Json).config;
  }

  /** Installs the bot in a team or chat (the bot receives installationUpdate + conversationUpdate). */
  async install(conversationId: string): Promise<void> {
    await this.json(
      'POST',
      `/_debug/conversation/${encodeURIComponent(conversationId)}/installation`,
    );
  }

  /** A user says `text` in a conversation. */
  async say(conversationId: string, fromId: string, text: string): Promise<void> {
    await this.json(
      'POST',
      `/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`,
      {
        from: { id: fromId },
        text,
        textFormat: 'plain',
      },
    );
  }

  /**
   * A user clicks an Action.Execute button on the card `replyToId`.
   * @returns the bot's invoke response body (`{ statusCode, type, value }`)
   */
  async invoke(
    conversationId: string,
    fromId: string,
    replyToId: string,
    verb: string,
    data: Record<string, unknown>,
  ): Promise<Json> {
    return this.json('POST', '/_conversation/v1/invoke', {
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      from: { id: fromId },
      conversation: { id: conversationId },
      replyToId,
    });
  }

  /** Every message recorded so far. */
  all(): readonly StreamMessage[] {
    return this.messages;
  }

  /**
   * The first recorded message (from index `from`) that matches, waiting for it if needed: woken
   * by each message the stream records, never by a clock (Jest's timeout is the only bound).
   */
  async waitFor(predicate: (m: StreamMessage) => boolean, from = 0): Promise<StreamMessage> {
    for (;;) {
      const found = this.messages.slice(from).find(predicate);
      if (found) return found;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
      });
    }
  }

  /** Closes the stream. */
  close(): void {
    this.ws?.close();
  }

  private async json(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as Json) : undefined;
  }
}
