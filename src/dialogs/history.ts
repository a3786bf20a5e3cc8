import type { Attachment, FileConsentCardResponse, TurnContext } from 'botbuilder';
import { request } from 'undici';
import { cardAttachment } from '../cards/render';
import { dispatcherFor, type CloudHttpOptions } from '../cloud/http';
import { ERRORS } from '../errors';
import type { Localizer } from '../i18n';
import { createLogger } from '../log';
import type { ChangeRecord, ChangeRecordStore } from '../state/changeRecords';
import { answerWithMessage } from './cardAnswers';
import { isShared } from './userSpecificViews';
import {
  historyCsv,
  historyListCard,
  historyRecordCard,
  type HistoryTranslator,
} from './historyRecord';
import { VERB } from './verbs';

/**
 * The `history` command and what it opens:
 * - `history`: the last links into the conversation's directory as a card, each with an Open
 *   button (`history.open`) that posts the link's record as a card (cards/historyRecord.json):
 *   who, when, the subscription, from and to which directory, the role assignments the move
 *   removed and what became of each (given back, not carried and why, failed), the after-move
 *   checklist from the inventory, and the audit trail; its Export button (`history.export`)
 *   sends the record as a file.
 * - `history export`: the same records as one CSV file (see {@link historyCsv}). Teams lets a bot
 *   send a file only in a personal chat, after the user accepts a file consent card ("Send and
 *   receive files using bot", https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4):
 *   the bot sends a FileConsentCard, Teams answers with `fileConsent/invoke` (accept with an
 *   `uploadInfo`, or decline), the bot PUTs the bytes to `uploadInfo.uploadUrl` (a OneDrive upload
 *   session: `Content-Range`, no Authorization header,
 *   https://learn.microsoft.com/graph/api/driveitem-createuploadsession) and posts a FileInfoCard.
 *   In a group chat or channel the records come as JSON in the message instead.
 * - `history json`: the full records as JSON (backup of the removed role assignments, the audit
 *   trail with ARM's correlation ids) to copy.
 *
 * Only records whose destination is the conversation's tenant are shown, opened or exported: the
 * tenant comes from the activity (Teams' `channelData.tenant.id`), never from a card's data.
 * Dates on the cards are `{{DATE()}}`/`{{TIME()}}` of Adaptive Cards ("Text features",
 * https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features): each reader's client
 * shows them in its own format and time zone.
 */

/** How many links the card lists and `history export` writes. */
export const HISTORY_LIMIT = 10;

/** Content type of Teams' file consent card (bots-filesv4). */
export const FILE_CONSENT_CONTENT_TYPE = 'application/vnd.microsoft.teams.card.file.consent';

/** Content type of Teams' file info card, posted after an upload (bots-filesv4). */
export const FILE_INFO_CONTENT_TYPE = 'application/vnd.microsoft.teams.card.file.info';

const log = createLogger('history');

/** A translator in the turn's locale. */
type T = HistoryTranslator;

/** What the history needs. */
export interface HistoryDeps {
  readonly localizer: Localizer;
  readonly changes: ChangeRecordStore;
  /** TLS trust and time limit (ms) of the upload (the sandbox's certificate in local mode). */
  readonly http: Pick<CloudHttpOptions, 'caCertificatePem' | 'timeoutMs'>;
}

/** What the `history` command does: a card, JSON, or a file. */
export type HistoryMode = 'card' | 'json' | 'export';

/** What a file consent card carries back (its accept and decline context). */
interface ExportContext {
  /** The one link to export, '' for the recent ones. */
  readonly flowId: string;
  /** Teams user id of the person the card was sent to. */
  readonly userId: string;
}

function translator(context: TurnContext, localizer: Localizer): T {
  const locale = context.activity.locale;
  return (key, params) => localizer.t(locale, key, params);
}

/** The conversation's tenant, as Teams tells it in the activity. */
function tenantOf(context: TurnContext): string {
  return (
    (context.activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
    context.activity.conversation.tenantId ??
    ''
  );
}

/**
 * Answers the `history` command in the turn.
 * @param mode `card` (the list), `json` (the records as JSON), `export` (a file, or JSON outside
 *   a personal chat)
 * @throws Error from storage
 */
export async function sendHistory(
  context: TurnContext,
  localizer: Localizer,
  changes: ChangeRecordStore,
  mode: HistoryMode,
): Promise<void> {
  const t = translator(context, localizer);
  const records = await changes.recent(tenantOf(context), HISTORY_LIMIT);
  if (records.length === 0) {
    await context.sendActivity(t('history.none'));
    return;
  }
  if (mode === 'json') return sendJson(context, records);
  if (mode === 'export') return sendExport(context, t, records, '');
  await context.sendActivity({ attachments: [cardAttachment(historyListCard(t, records))] });
}

/**
 * Answers a click on a history card (`history.open`, `history.export`), whether or not a dialog
 * runs (the cards outlive any flow). The record must be one of the conversation's tenant.
 * @returns whether the click was such a one (and is answered)
 * @throws Error from storage
 */
export async function answerHistoryAction(
  context: TurnContext,
  action: { readonly verb: string; readonly data: Record<string, unknown> },
  deps: Pick<HistoryDeps, 'localizer' | 'changes'>,
): Promise<boolean> {
  if (action.verb !== VERB.historyOpen && action.verb !== VERB.historyExport) return false;
  const t = translator(context, deps.localizer);
  const flowId = typeof action.data.flowId === 'string' ? action.data.flowId : '';
  const record = flowId ? await deps.changes.get(flowId) : undefined;
  if (!record || record.destinationTenantId !== tenantOf(context)) {
    await answerWithMessage(context, t('history.notFound'));
    return true;
  }
  if (action.verb === VERB.historyOpen) {
    await answerWithMessage(context, t('history.opened'));
    await context.sendActivity({ attachments: [cardAttachment(historyRecordCard(t, record))] });
    return true;
  }
  await answerWithMessage(
    context,
    isShared(context.activity) ? t('history.export.here') : t('history.export.sent'),
  );
  await sendExport(context, t, [record], flowId);
  return true;
}

async function sendJson(context: TurnContext, records: readonly ChangeRecord[]): Promise<void> {
  await context.sendActivity({
    textFormat: 'markdown',
    text: `\`\`\`json\n${JSON.stringify(records, null, 2)}\n\`\`\``,
  });
}

/** The file consent card in a personal chat; JSON with a note elsewhere. */
async function sendExport(
  context: TurnContext,
  t: T,
  records: readonly ChangeRecord[],
  flowId: string,
): Promise<void> {
  if (isShared(context.activity) || context.activity.conversation.conversationType !== 'personal') {
    await context.sendActivity(t('history.export.personalOnly'));
    return sendJson(context, records);
  }
  const csv = historyCsv(records);
  const exportContext: ExportContext = { flowId, userId: context.activity.from.id };
  const consent: Attachment = {
    contentType: FILE_CONSENT_CONTENT_TYPE,
    name: exportFileName(records, flowId),
    content: {
      description: t('history.export.description', { count: records.length }),
      sizeInBytes: Buffer.byteLength(csv, 'utf8'),
      acceptContext: exportContext,
      declineContext: exportContext,
    },
  };
  await context.sendActivity({ attachments: [consent] });
}

/** The file's name: `tenantlink-history[-{subscription}]-{yyyy-mm-dd}.csv`, safe characters only. */
function exportFileName(records: readonly ChangeRecord[], flowId: string): string {
  const day = new Date().toISOString().slice(0, 10);
  const sub = flowId && records[0] ? `-${records[0].subscriptionName}` : '';
  return `tenantlink-history${sub}-${day}.csv`.replace(/[^\w.-]+/g, '-');
}

/**
 * Handles the answer to the file consent card (`fileConsent/invoke`, bots-filesv4): on accept,
 * uploads the CSV to the upload session Teams gave and posts a FileInfoCard; on decline, says
 * nothing was sent.
 */
export class HistoryFileExport {
  constructor(private readonly deps: HistoryDeps) {}

  /**
   * The user accepted: checks that the card was this user's in a personal chat and that the
   * upload URL is https, rebuilds the CSV from the records of the conversation's tenant, PUTs it
   * in one request (`Content-Range: bytes 0-{n-1}/{n}`, no Authorization header) and posts the
   * FileInfoCard. A refusal or a failed upload is told in the chat (TL-EXPORT-REFUSED,
   * TL-EXPORT-UPLOAD) and logged; nothing throws.
   */
  async accept(context: TurnContext, response: FileConsentCardResponse): Promise<void> {
    const t = translator(context, this.deps.localizer);
    const exportContext = response.context as Partial<ExportContext> | undefined;
    const info = response.uploadInfo;
    const url = parseHttps(info?.uploadUrl);
    if (
      context.activity.conversation.conversationType !== 'personal' ||
      exportContext?.userId !== context.activity.from.id ||
      !url ||
      !info
    ) {
      log.warn({ code: ERRORS.exportRefused.code }, 'file consent refused');
      await context.sendActivity(t(ERRORS.exportRefused.messageKey));
      return;
    }
    const flowId = typeof exportContext.flowId === 'string' ? exportContext.flowId : '';
    const tenantId = tenantOf(context);
    const records = flowId
      ? [await this.deps.changes.get(flowId)].filter(
          (r): r is ChangeRecord => r?.destinationTenantId === tenantId,
        )
      : await this.deps.changes.recent(tenantId, HISTORY_LIMIT);
    if (records.length === 0) {
      await context.sendActivity(t('history.none'));
      return;
    }
    const body = Buffer.from(historyCsv(records), 'utf8');
    try {
      const dispatcher = dispatcherFor(this.deps.http);
      const res = await request(url, {
        method: 'PUT',
        headers: {
          'content-length': String(body.length),
          'content-range': `bytes 0-${body.length - 1}/${body.length}`,
        },
        body,
        headersTimeout: this.deps.http.timeoutMs,
        bodyTimeout: this.deps.http.timeoutMs,
        ...(dispatcher ? { dispatcher } : {}),
      });
      await res.body.dump();
      if (res.statusCode !== 200 && res.statusCode !== 201)
        throw new Error(`upload answered ${res.statusCode}`);
    } catch (err) {
      // The message only: the upload URL is a capability (it authorizes the upload) and stays out.
      const detail = err instanceof Error ? err.message : String(err);
      log.warn({ code: ERRORS.exportUpload.code, detail }, 'history upload failed');
      await context.sendActivity(t(ERRORS.exportUpload.messageKey));
      return;
    }
    log.info({ records: records.length, bytes: body.length }, 'history exported as a file');
    await context.sendActivity({
      attachments: [
        {
          contentType: FILE_INFO_CONTENT_TYPE,
          contentUrl: info.contentUrl ?? '',
          name: info.name ?? '',
          content: { uniqueId: info.uniqueId ?? '', fileType: info.fileType ?? 'csv' },
        },
      ],
    });
  }

  /** The user declined: nothing is uploaded, and the chat says so. */
  async decline(context: TurnContext): Promise<void> {
    const t = translator(context, this.deps.localizer);
    await context.sendActivity(t('history.export.declined'));
  }
}

/** The URL when it is an absolute https URL, else undefined. */
function parseHttps(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
