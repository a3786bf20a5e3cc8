import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { createLogger } from '../log';
import { defuseAll } from '../i18n/markdown';
import { projectRoot } from '../paths';

/**
 * Renders the adaptive card templates of cards/ with adaptivecards-templating. Each template has
 * one typed data shape below; every string in the data is already localized (src/i18n), so the
 * same template serves every locale. Card actions are `Action.Execute` (Universal Actions,
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/overview)
 * carrying `{ flowId, cardId }` so that a click is tied to one flow and one card.
 */

/**
 * Teams' limit for a card message, in bytes (about 28 KB:
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages).
 */
export const CARD_SIZE_LIMIT_BYTES = 28 * 1024;

const log = createLogger('cards');

/** Content type of an adaptive card attachment. */
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** A title/value row of a FactSet. */
export interface Fact {
  readonly title: string;
  readonly value: string;
}

/** A choice of an Input.ChoiceSet. */
export interface Choice {
  readonly title: string;
  readonly value: string;
}

/** Ties a card's Action.Execute to one flow and one card. */
export interface ActionIds {
  readonly flowId: string;
  readonly cardId: string;
}

/** Data of cards/welcome.json. */
export interface WelcomeCardData extends ActionIds {
  title: string;
  intro: string;
  steps: string[];
  note: string;
  startLabel: string;
  cancelLabel: string;
}

/** Data of cards/signIn.json. */
export interface SignInCardData extends ActionIds {
  title: string;
  text: string;
  error: string;
  accountLabel: string;
  requiredMessage: string;
  choices: Choice[];
  sandboxNote: string;
  signInLabel: string;
  cancelLabel: string;
}

/**
 * Data of cards/directorySignIn.json: the subscription admin's sign-in, asking for the
 * subscription's id (its directory is found from it) and, in local mode, a sandbox account.
 */
export interface DirectorySignInCardData extends ActionIds {
  title: string;
  text: string;
  error: string;
  idLabel: string;
  idPlaceholder: string;
  idError: string;
  /** The id typed before (kept on a retry card). */
  subscriptionId: string;
  /** Where to find the id (text; the portal page is the card's OpenUrl button). */
  findId: string;
  findIdLabel: string;
  /** The Azure portal's Subscriptions page. */
  findIdUrl: string;
  accountLabel: string;
  /** The sandbox's accounts (local mode); empty with Microsoft's cloud. */
  choices: Choice[];
  sandboxNote: string;
  signInLabel: string;
  cancelLabel: string;
}

/** Data of cards/directorySignInWait.json: open the sign-in page, then come back. */
export interface DirectorySignInWaitCardData extends ActionIds {
  title: string;
  text: string;
  /** The identity platform's authorize URL (https). */
  url: string;
  openLabel: string;
  restartLabel: string;
  cancelLabel: string;
}

/**
 * Data of cards/checklist.json: the after-move checklist with the offer to update the
 * subscription's key vaults (explicit, confirmed by its toggle, initiator only).
 */
export interface ChecklistCardData extends ActionIds {
  title: string;
  text: string;
  facts: Fact[];
  offerText: string;
  /** The toggle's label (required inputs carry one). */
  offerLabel: string;
  confirmLabel: string;
  /** Shown by Teams when the confirmation is not ticked (the toggle is required). */
  requiredMessage: string;
  fixLabel: string;
  laterLabel: string;
}

/** One rule row of cards/preflight.json. */
export interface RuleRow {
  rule: string;
  icon: string;
  color: 'Good' | 'Attention';
  title: string;
  detail: string;
  fix: string;
}

/** Data of cards/preflight.json. */
export interface PreflightCardData {
  title: string;
  summary: string;
  rules: RuleRow[];
}

/** Data of cards/chooseSubscription.json. */
export interface ChooseSubscriptionCardData extends ActionIds {
  title: string;
  text: string;
  subscriptionLabel: string;
  requiredMessage: string;
  subscriptions: Choice[];
  /** `filtered` with a search dataset when there are more subscriptions than the card lists. */
  style: 'expanded' | 'filtered';
  /** The Data.Query dataset of the typeahead search, '' for none. */
  dataset: string;
  chooseLabel: string;
  cancelLabel: string;
}

/** Data of cards/impact.json. */
export interface ImpactCardData extends ActionIds {
  title: string;
  facts: Fact[];
  removedText: string;
  assignments: { principal: string; role: string; scope: string }[];
  moreText: string;
  /** Assignments inherited from above the subscription: a heading ('' when none) and lines. */
  inheritedText: string;
  inherited: { principal: string; role: string; scope: string }[];
  /** The restore plan's summary: a title ('' when there is no plan) and one line per outcome. */
  restoreTitle: string;
  restoreLines: string[];
  /**
   * What else the move breaks (Azure Resource Graph inventory, src/dialogs/inventoryCards.ts): a
   * heading ('' hides it), an acknowledgement toggle per kind that breaks, lines to check, and the
   * error shown when an acknowledgement is missing.
   */
  inventoryTitle: string;
  inventoryBreaks: { ackId: string; text: string; ackLabel: string }[];
  inventoryChecks: string[];
  ackError: string;
  warnings: string[];
  /**
   * Billing in plain words: the directory change does not move billing ownership
   * (https://learn.microsoft.com/azure/cost-management-billing/manage/billing-subscription-transfer).
   */
  billingText: string;
  backupText: string;
  continueLabel: string;
  cancelLabel: string;
}

/** Data of cards/confirm.json. */
export interface ConfirmCardData extends ActionIds {
  title: string;
  text: string;
  error: string;
  inputLabel: string;
  subscriptionName: string;
  requiredMessage: string;
  confirmLabel: string;
  cancelLabel: string;
}

/** Data of cards/guidedMove.json. */
export interface GuidedMoveCardData extends ActionIds {
  title: string;
  reason: string;
  steps: string[];
  status: string;
  portalLabel: string;
  portalUrl: string;
  verifyLabel: string;
  cancelLabel: string;
}

/** Data of cards/grantAccess.json. */
export interface GrantAccessCardData extends ActionIds {
  title: string;
  text: string;
  error: string;
  usersLabel: string;
  requiredMessage: string;
  users: Choice[];
  /** `filtered` with a live search dataset when the directory has more users than listed. */
  usersStyle: 'expanded' | 'filtered';
  usersDataset: string;
  roleLabel: string;
  roles: Choice[];
  /** The restore toggle (on by default), shown when the restore plan has something to restore. */
  restoreLabel: string;
  showRestore: boolean;
  /** The assignments to give back, all chosen by default (the first {@link RESTORE_CHOICE_LIMIT}). */
  restoreChoicesLabel: string;
  restoreChoices: Choice[];
  /** The choices' values, comma-separated: all of them are chosen at first. */
  restoreChosen: string;
  /** '' or "…and N more, given back with the others" when the list is cut. */
  restoreMore: string;
  grantLabel: string;
  cancelLabel: string;
}

/** Largest number of removed assignments the grant card lists for choosing (the rest follow the toggle). */
export const RESTORE_CHOICE_LIMIT = 50;

/** Data of cards/outcome.json: a card without actions, e.g. a card updated in place after a click. */
export interface OutcomeCardData {
  title: string;
  text: string;
  color: 'Default' | 'Good' | 'Attention' | 'Warning' | 'Accent';
  facts: Fact[];
}

/** Data of cards/channelNotice.json. */
export interface ChannelNoticeCardData {
  title: string;
  text: string;
  facts: Fact[];
  /** When the link completed, shown as "{atLabel} {{DATE}} {{TIME}}" (absent: not shown). */
  at?: CardInstant;
  atLabel?: string;
  /** Under an approval policy (issue 29): "Approvals", then who approved and when. */
  approvalsTitle: string;
  /** One line each, with `{{DATE()}}`/`{{TIME()}}` (none: no approval policy; not shown). */
  approvals: { line: string }[];
  portalLabel: string;
  portalUrl: string;
}

/** Data of cards/approval.json: the approval request of a link (issue 29). */
export interface ApprovalCardData extends ActionIds {
  title: string;
  /** Who asks for what, and of whom. */
  text: string;
  color: 'Default' | 'Good' | 'Attention' | 'Warning' | 'Accent';
  /** Subscription, from and to which directory, who asks, who is asked. */
  facts: Fact[];
  impactTitle: string;
  /** The impact summary, one line each (who loses what). */
  impact: { line: string }[];
  decisionsTitle: string;
  /** Approvals and rejections so far, one line each. */
  decisions: { line: string }[];
  /** When it expires (with `{{DATE()}}`/`{{TIME()}}`: each reader sees their own format). */
  expires: string;
  /** Whether this view has the reason and the buttons (an approver's own view). */
  canDecide: boolean;
  reasonLabel: string;
  approveLabel: string;
  rejectLabel: string;
}

/** Data of cards/policy.json: a tenant's approval policy, set by a Global Administrator. */
export interface PolicyCardData extends ActionIds {
  title: string;
  text: string;
  /** The policy in force, in words. */
  current: string;
  approversLabel: string;
  /** `off`, `group` or `globalAdministrators`. */
  approvers: string;
  approverChoices: Choice[];
  groupLabel: string;
  groupId: string;
  requiredLabel: string;
  required: number;
  channelLabel: string;
  /** The chosen channel's team id ('' when none). */
  channel: string;
  channelChoices: Choice[];
  expiryLabel: string;
  expiryHours: number;
  saveLabel: string;
}

/**
 * An instant for a card, as an Adaptive Cards template shows it with `{{DATE(…)}}`/`{{TIME(…)}}`
 * in a TextBlock so that each reader's client formats it ("Text features",
 * https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features): RFC 3339 ending in
 * `Z` or an offset, e.g. `Date.prototype.toISOString()`. Never put one in a card as plain text.
 */
export type CardInstant = string;

/**
 * An ISO time as a {@link CardInstant}: UTC, whole seconds (`2026-11-30T13:24:42Z`). The doc's
 * valid forms have no fraction of a second, and the JS renderer (adaptivecards' text-formatters)
 * shows `{{DATE(…)}}` with one as raw text.
 * @param iso any time `Date.parse` reads, e.g. `2026-11-30T13:24:42.528Z`
 * @throws RangeError when it is not a time
 */
export function cardInstant(iso: string): CardInstant {
  return new Date(iso).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A DATE()/TIME() call the doc (and the JS renderer's text-formatters) accept. */
const VALID_DATE_FUNCTION =
  /\{\{(?:DATE\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})(?:, ?(?:COMPACT|LONG|SHORT))?\)|TIME\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})\))\}\}/g;

/**
 * The texts of a card that show an ISO date or time as plain text, not inside a valid
 * `{{DATE(…)}}` or `{{TIME(…)}}` (which every reader's client formats): for tests and the
 * renderer's warning.
 */
export function rawDatesIn(card: unknown): string[] {
  const found: string[] = [];
  // The functions work in a TextBlock's text only; anywhere else they show as written.
  const walk = (node: unknown, textBlockText: boolean): void => {
    if (typeof node === 'string') {
      const bare = textBlockText ? node.replace(VALID_DATE_FUNCTION, '') : node;
      if (/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\{\{(?:DATE|TIME)\(/.test(bare)) found.push(node);
    } else if (Array.isArray(node)) node.forEach((n) => walk(n, false));
    else if (node && typeof node === 'object') {
      const isTextBlock = (node as { type?: unknown }).type === 'TextBlock';
      for (const [k, v] of Object.entries(node)) walk(v, isTextBlock && k === 'text');
    }
  };
  walk(card, false);
  return found;
}

/** One link of cards/historyList.json, with its Open button (`history.open`). */
export interface HistoryRow extends ActionIds {
  subscription: string;
  /** When the link started. */
  at: CardInstant;
  /** Status and who started it. */
  line: string;
  openLabel: string;
}

/** Data of cards/historyList.json: the last links into the directory. */
export interface HistoryListCardData {
  title: string;
  text: string;
  rows: HistoryRow[];
}

/** Data of cards/historyRecord.json: one link's record, with its Export button (`history.export`). */
export interface HistoryRecordCardData extends ActionIds {
  title: string;
  color: 'Default' | 'Good' | 'Attention' | 'Warning';
  /** "Started by {name}:" before the start's date and time. */
  startedLabel: string;
  createdAt: CardInstant;
  updatedLabel: string;
  updatedAt: CardInstant;
  facts: Fact[];
  assignmentsTitle: string;
  /** One line per removed assignment and its fate (the first RECORD_LINES_MAX of src/dialogs/historyRecord.ts). */
  assignments: string[];
  /** '' or "…and N more". */
  assignmentsMore: string;
  checklistTitle: string;
  checklist: string[];
  /** Under an approval policy (issue 29): "Approvals", then who approved or rejected and when. */
  approvalsTitle: string;
  /** One line each, with `{{DATE()}}`/`{{TIME()}}` (none: not shown). */
  approvals: { line: string }[];
  auditTitle: string;
  /** The audit trail's last entries: when, and what. */
  audit: { at: CardInstant; line: string }[];
  auditMore: string;
  exportLabel: string;
}

/** Template name → its data shape. */
export interface CardDataByTemplate {
  welcome: WelcomeCardData;
  signIn: SignInCardData;
  directorySignIn: DirectorySignInCardData;
  directorySignInWait: DirectorySignInWaitCardData;
  preflight: PreflightCardData;
  chooseSubscription: ChooseSubscriptionCardData;
  impact: ImpactCardData;
  confirm: ConfirmCardData;
  guidedMove: GuidedMoveCardData;
  grantAccess: GrantAccessCardData;
  outcome: OutcomeCardData;
  channelNotice: ChannelNoticeCardData;
  checklist: ChecklistCardData;
  approval: ApprovalCardData;
  policy: PolicyCardData;
  historyList: HistoryListCardData;
  historyRecord: HistoryRecordCardData;
}

/** Name of a template in cards/. */
export type TemplateName = keyof CardDataByTemplate;

/** An adaptive card as JSON (the renderer's output). */
export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; body: unknown[] };

/** Names of all templates (tests render each). */
export const TEMPLATE_NAMES: readonly TemplateName[] = [
  'welcome',
  'signIn',
  'directorySignIn',
  'directorySignInWait',
  'preflight',
  'chooseSubscription',
  'impact',
  'confirm',
  'guidedMove',
  'grantAccess',
  'outcome',
  'channelNotice',
  'checklist',
  'approval',
  'policy',
  'historyList',
  'historyRecord',
];

const templates = new Map<TemplateName, ACData.Template>();

function template(name: TemplateName): ACData.Template {
  let t = templates.get(name);
  if (!t) {
    const json: unknown = JSON.parse(
      readFileSync(join(projectRoot(), 'cards', `${name}.json`), 'utf8'),
    );
    t = new ACData.Template(json);
    templates.set(name, t);
  }
  return t;
}

/**
 * Expands a template with its data.
 * @param name template in cards/
 * @param data the template's typed data (localized strings, ids)
 * @returns the adaptive card JSON
 * @throws Error when the template file is missing or not JSON (a packaging bug)
 */
export function renderCard<N extends TemplateName>(
  name: N,
  data: CardDataByTemplate[N],
): AdaptiveCardJson {
  // Names from Teams or Azure in the data cannot become disguised links (see ./markdown.ts).
  const card = dropNulls(template(name).expand({ $root: defuseAll(data) })) as AdaptiveCardJson;
  if (rawDatesIn(card).length > 0)
    // Each reader should see their own format: the builder passes dates for DATE()/TIME().
    log.warn({ code: 'TL-CARD-RAW-DATE', template: name }, 'card shows a date as plain text');
  const bytes = Buffer.byteLength(JSON.stringify(card));
  if (bytes > CARD_SIZE_LIMIT_BYTES) {
    // Teams refuses the message; the builders summarise to stay under the limit, so this is a bug.
    log.warn(
      { code: 'TL-CARD-TOO-LARGE', template: name, bytes },
      'card over the Teams size limit',
    );
  }
  return card;
}

/**
 * Removes the properties that templating left null (an object property whose `$when` was false,
 * e.g. `choices.data` of a list short enough to need no search): Teams expects them absent.
 */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, dropNulls(v)]),
    );
  return value;
}

/** Wraps a card as a Bot Framework attachment. */
export function cardAttachment(card: AdaptiveCardJson): {
  contentType: string;
  content: AdaptiveCardJson;
} {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
}
