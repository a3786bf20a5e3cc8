import type { TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import type { SignInKind, SignedInAccount, TokenSource } from '../auth/signIn';
import { cardAttachment, renderCard } from '../cards/render';
import type { AzureSubscription, DirectoryPerson, Organization } from '../domain/model';
import type { AzureManagementPort } from '../domain/ports';
import { GRANTABLE_ROLES, type GrantableRole } from '../domain/roles';
import { allPassed } from '../domain/rules';
import { asTenantlinkError, type TenantlinkError } from '../errors';
import type { Localizer } from '../i18n';
import { createLogger } from '../log';
import { grantAccess, testAccess } from '../link/access';
import { reviewImpact } from '../link/impact';
import { changeDirectoryByApi, isInDirectory } from '../link/move';
import type { ChannelNotifier, CloudClients } from '../link/ports';
import { runPreflight } from '../link/preflight';
import type { ChangeRecordStore } from '../state/changeRecords';
import {
  CardPrompt,
  answerInvoke,
  outcomeCard,
  type CardAction,
  type CardPromptOptions,
} from './cardPrompt';
import type { GuidedMoveOptions } from './guidedMoveDialog';
import { LinkCards } from './linkCards';

/**
 * The link procedure of the seeds as a waterfall: welcome → sign in to Office 365 → sign in to
 * Azure → preflight (R1–R5) and choose the subscription → review who loses access (backup) →
 * confirm (typed name, initiator only) → change the directory (API, or the guided path) and
 * verify → grant access to Office 365 accounts → test access and tell the team's channel.
 * Steps call ports (src/link, src/domain/ports), never HTTP.
 */

/** Id of the dialog. */
export const LINK_DIALOG = 'linkDialog';
/** Id of the card prompt inside it. */
export const LINK_CARD_PROMPT = 'linkCardPrompt';
/** Id of the guided move dialog registered beside it. */
export const GUIDED_MOVE_DIALOG = 'guidedMoveDialog';
/** Largest number of Office 365 users offered on the grant card (the first page). */
export const GRANT_PAGE_SIZE = 50;

/** What the dialog needs, wired by the composition root. */
export interface LinkDialogDeps {
  readonly localizer: Localizer;
  readonly tokens: TokenSource;
  readonly clients: CloudClients;
  readonly changes: ChangeRecordStore;
  readonly notifier: ChannelNotifier;
  readonly signInDialogIds: Readonly<Record<SignInKind, string>>;
}

/** How the dialog ended. */
export interface LinkResult {
  readonly outcome: 'linked' | 'cancelled' | 'preflightFailed' | 'failed' | 'nothingToLink';
  readonly flowId: string;
}

/** State kept across the waterfall's turns (no tokens: they come from the token service). */
interface LinkState {
  flowId: string;
  initiatorId: string;
  initiatorName: string;
  office365?: SignedInAccount;
  azure?: SignedInAccount;
  org?: Organization;
  owned?: AzureSubscription[];
  directoryNames?: Record<string, string>;
  subscription?: AzureSubscription;
  sourceName?: string;
  grantUsers?: DirectoryPerson[];
}

/** The link waterfall. */
export class LinkDialog extends ComponentDialog {
  private readonly log = createLogger('link-dialog');

  constructor(private readonly deps: LinkDialogDeps) {
    super(LINK_DIALOG);
    this.addDialog(new CardPrompt(LINK_CARD_PROMPT, deps.localizer));
    this.addDialog(
      new WaterfallDialog(
        `${LINK_DIALOG}.steps`,
        [
          this.welcome,
          this.signInOffice365,
          this.signInAzure,
          this.preflight,
          this.reviewImpact,
          this.confirm,
          this.changeDirectory,
          this.verify,
          this.grantAccess,
          this.testAccessAndNotify,
        ].map((s) => this.guard(s.bind(this))),
      ),
    );
    this.initialDialogId = `${LINK_DIALOG}.steps`;
  }

  // ---- steps -----------------------------------------------------------------------------

  private async welcome(step: WaterfallStepContext, s: LinkState): Promise<DialogTurnResult> {
    const ids = { flowId: s.flowId, cardId: uuidv4() };
    return step.beginDialog(
      LINK_CARD_PROMPT,
      this.prompt(s, ids.cardId, this.cards(step).welcome(ids), ['link.start']),
    );
  }

  private async signInOffice365(
    step: WaterfallStepContext,
    s: LinkState,
  ): Promise<DialogTurnResult> {
    if (!(await this.accepted(step, s))) return this.cancel(step, s);
    await answerInvoke(
      step.context,
      outcomeCard(this.cards(step).t('welcome.started'), '', 'Good'),
    );
    return step.beginDialog(this.deps.signInDialogIds.office365, this.signInOptions(s));
  }

  private async signInAzure(step: WaterfallStepContext, s: LinkState): Promise<DialogTurnResult> {
    if (!step.result) return this.cancel(step, s);
    s.office365 = step.result as SignedInAccount;
    s.org = await this.deps.clients
      .directory(this.credential(step, 'office365', 'graph'))
      .organization();
    await step.context.sendActivity(
      this.cards(step).t('signIn.office365.ok', {
        name: s.office365.displayName,
        directory: s.org.displayName,
        domain: s.org.defaultDomain,
      }),
    );
    return step.beginDialog(this.deps.signInDialogIds.azure, this.signInOptions(s));
  }

  private async preflight(step: WaterfallStepContext, s: LinkState): Promise<DialogTurnResult> {
    if (!step.result) return this.cancel(step, s);
    s.azure = step.result as SignedInAccount;
    const cards = this.cards(step);
    const azure = this.azureAs(step, 'azure');
    const report = await runPreflight(
      this.deps.clients.directory(this.credential(step, 'office365', 'graph')),
      azure,
      (email) => this.deps.clients.userRealm(email),
      s.azure,
    );
    await step.context.sendActivity({
      attachments: [cardAttachment(cards.preflight(report.results))],
    });
    this.log.info(
      { flowId: s.flowId, failed: report.results.filter((r) => !r.passed).map((r) => r.rule) },
      'preflight',
    );
    if (!allPassed(report.results)) {
      await step.context.sendActivity(cards.t('preflight.stop'));
      return step.endDialog({ outcome: 'preflightFailed', flowId: s.flowId } satisfies LinkResult);
    }
    const candidates = report.ownedSubscriptions.filter((x) => x.tenantId !== s.org!.tenantId);
    if (candidates.length === 0) {
      await step.context.sendActivity(cards.t('choose.none', { directory: s.org!.displayName }));
      return step.endDialog({ outcome: 'nothingToLink', flowId: s.flowId } satisfies LinkResult);
    }
    const tenants = await azure.listTenants();
    s.owned = candidates;
    s.directoryNames = Object.fromEntries(tenants.map((t) => [t.tenantId, t.displayName]));
    const ids = { flowId: s.flowId, cardId: uuidv4() };
    const data = cards.chooseSubscription(
      ids,
      candidates,
      new Map(Object.entries(s.directoryNames)),
    );
    return step.beginDialog(LINK_CARD_PROMPT, {
      ...this.prompt(s, ids.cardId, renderCard('chooseSubscription', data), [
        'subscription.choose',
      ]),
      rules: {
        'subscription.choose': {
          required: ['subscriptionId'],
          oneOf: { subscriptionId: candidates.map((c) => c.subscriptionId) },
        },
      },
    });
  }

  private async reviewImpact(step: WaterfallStepContext, s: LinkState): Promise<DialogTurnResult> {
    const action = step.result as CardAction;
    if (action.verb === 'link.cancel') return this.cancel(step, s);
    const cards = this.cards(step);
    s.subscription = s.owned!.find((x) => x.subscriptionId === action.inputs.subscriptionId)!;
    s.sourceName = s.directoryNames?.[s.subscription.tenantId] ?? s.subscription.tenantId;
    await answerInvoke(
      step.context,
      outcomeCard(
        cards.t('choose.done', {
          subscription: s.subscription.displayName,
          directory: s.sourceName,
        }),
        '',
        'Good',
      ),
    );
    const sourceGraph = this.deps.clients.directory(this.credential(step, 'azure', 'graph'));
    const report = await reviewImpact(
      this.azureAs(step, 'azure'),
      sourceGraph,
      s.subscription.subscriptionId,
    );
    const now = new Date().toISOString();
    await this.deps.changes.update(
      s.flowId,
      (r) => {
        r.status = 'impactReviewed';
        r.backup = report.assignments;
      },
      () => ({
        flowId: s.flowId,
        initiatorId: s.initiatorId,
        initiatorName: s.initiatorName,
        subscriptionId: s.subscription!.subscriptionId,
        subscriptionName: s.subscription!.displayName,
        sourceTenantId: s.subscription!.tenantId,
        destinationTenantId: s.org!.tenantId,
        status: 'requested',
        backup: [],
        audit: [],
        createdAt: now,
        updatedAt: now,
      }),
    );
    const ids = { flowId: s.flowId, cardId: uuidv4() };
    const card = renderCard(
      'impact',
      cards.impact(ids, s.subscription, s.sourceName, s.org!, report),
    );
    return step.beginDialog(
      LINK_CARD_PROMPT,
      this.prompt(s, ids.cardId, card, ['impact.continue']),
    );
  }

  private async confirm(step: WaterfallStepContext, s: LinkState): Promise<DialogTurnResult> {
    const action = step.result as CardAction;
    if (action.verb === 'link.cancel') return this.cancel(step, s);
    const cards = this.cards(step);
    await answerInvoke(
      step.context,
      outcomeCard(
        cards.t('impact.reviewed', { subscription: s.subscription!.displayName }),
        '',
        'Good',
      ),
    );
    const ids = { flowId: s.flowId, cardId: uuidv4() };
    const name = s.subscription!.displayName;
    return step.beginDialog(LINK_CARD_PROMPT, {
      ...this.prompt(
        s,
        ids.cardId,
        renderCard('confirm', cards.confirm(ids, s.subscription!, s.org!)),
        ['move.confirm'],
      ),
      retryCard: renderCard(
        'confirm',
        cards.confirm(
          ids,
          s.subscription!,
          s.org!,
          cards.t('confirm.mismatch', { subscription: name }),
        ),
      ),
      rules: { 'move.confirm': { required: ['typedName'], equals: { typedName: name } } },
    });
  }

  private async changeDirectory(
    step: WaterfallStepContext,
    s: LinkState,
  ): Promise<DialogTurnResult> {
    const action = step.result as CardAction;
    if (action.verb === 'link.cancel') return this.cancel(step, s);
    const cards = this.cards(step);
    const sub = s.subscription!;
    await this.deps.changes.update(s.flowId, (r) => void (r.status = 'confirmed'));
    await answerInvoke(
      step.context,
      outcomeCard(
        cards.t('confirm.done', { subscription: sub.displayName, directory: s.org!.displayName }),
        '',
        'Good',
      ),
    );
    await step.context.sendActivity({ type: 'typing' });
    const outcome = await changeDirectoryByApi(
      this.azureAs(step, 'azure'),
      this.azureAs(step, 'office365'),
      sub.subscriptionId,
      s.org!.tenantId,
      s.office365!.objectId,
    );
    if (outcome.kind === 'moved') {
      await this.deps.changes.update(s.flowId, (r) => {
        r.status = 'moveAccepted';
        r.audit = [
          ...r.audit,
          {
            at: new Date().toISOString(),
            by: s.initiatorId,
            action: 'changeTenant',
            target: sub.subscriptionId,
            outcome: 'ok',
          },
        ];
      });
      return step.next(true);
    }
    await this.recordRefusal(s, outcome.error, outcome.stage);
    const guided: GuidedMoveOptions = {
      flowId: s.flowId,
      initiatorId: s.initiatorId,
      initiatorName: s.initiatorName,
      subscriptionId: sub.subscriptionId,
      subscriptionName: sub.displayName,
      sourceTenantId: sub.tenantId,
      destinationTenantId: s.org!.tenantId,
      destinationName: s.org!.displayName,
      reason: String(
        outcome.error.params.serviceMessage || outcome.error.serviceCode || outcome.error.code,
      ),
    };
    return step.beginDialog(GUIDED_MOVE_DIALOG, guided);
  }

  private async verify(step: WaterfallStepContext, s: LinkState): Promise<DialogTurnResult> {
    if (step.result !== true) return this.cancel(step, s);
    const cards = this.cards(step);
    const sub = s.subscription!;
    const target = this.azureAs(step, 'office365');
    if (!(await isInDirectory(target, sub.subscriptionId, s.org!.tenantId))) {
      await step.context.sendActivity(
        cards.t('error.moveNotVerified', { subscription: sub.displayName }),
      );
      await this.deps.changes.update(s.flowId, (r) => void (r.status = 'failed'));
      return step.endDialog({ outcome: 'failed', flowId: s.flowId } satisfies LinkResult);
    }
    await this.deps.changes.update(s.flowId, (r) => void (r.status = 'verified'));
    await step.context.sendActivity(
      cards.t('verify.done', { subscription: sub.displayName, directory: s.org!.displayName }),
    );
    return step.next();
  }

  private async grantAccess(step: WaterfallStepContext, s: LinkState): Promise<DialogTurnResult> {
    const cards = this.cards(step);
    const page = await this.deps.clients
      .directory(this.credential(step, 'office365', 'graph'))
      .listUsers({ pageSize: GRANT_PAGE_SIZE });
    s.grantUsers = page.users;
    const ids = { flowId: s.flowId, cardId: uuidv4() };
    const data = cards.grant(ids, page.users, s.org!);
    return step.beginDialog(LINK_CARD_PROMPT, {
      ...this.prompt(s, ids.cardId, renderCard('grantAccess', data), ['access.grant']),
      retryCard: renderCard('grantAccess', { ...data, error: cards.t('grant.pick') }),
      rules: {
        'access.grant': {
          required: ['principalIds'],
          oneOf: { principalIds: page.users.map((u) => u.id), role: [...GRANTABLE_ROLES] },
        },
      },
    });
  }

  private async testAccessAndNotify(
    step: WaterfallStepContext,
    s: LinkState,
  ): Promise<DialogTurnResult> {
    const action = step.result as CardAction;
    if (action.verb === 'link.cancel') return this.cancel(step, s);
    const cards = this.cards(step);
    const role = (action.inputs.role || 'Owner') as GrantableRole;
    const chosen = new Set((action.inputs.principalIds ?? '').split(','));
    const users = s.grantUsers!.filter((u) => chosen.has(u.id));
    await answerInvoke(
      step.context,
      outcomeCard(
        cards.t('grant.working', { count: users.length, role: cards.t(`role.${role}`) }),
        '',
        'Good',
      ),
    );
    const target = this.azureAs(step, 'office365');
    const grants = await grantAccess(target, s.subscription!.subscriptionId, users, role);
    const tested = await testAccess(target, s.subscription!.subscriptionId, users, role);
    await this.deps.changes.update(s.flowId, (r) => {
      r.status = 'accessGranted';
      r.audit = [
        ...r.audit,
        ...grants.map((g) => ({
          at: new Date().toISOString(),
          by: s.initiatorId,
          action: `roleAssignment:${g.role}`,
          target: g.user.id,
          outcome: g.outcome === 'failed' ? ('failed' as const) : ('ok' as const),
          code: g.errorCode,
        })),
      ];
    });
    await step.context.sendActivity({
      attachments: [cardAttachment(cards.accessResults(grants, tested))],
    });
    const sent = await this.deps.notifier.notify(
      s.org!.tenantId,
      cards.channelNotice(s.subscription!, s.org!, s.office365!, grants, this.portalUrl(step)),
    );
    await this.deps.changes.update(s.flowId, (r) => void (r.status = 'notified'));
    await step.context.sendActivity(
      cards.t(sent > 0 ? 'done.notified' : 'done.noChannel', {
        subscription: s.subscription!.displayName,
        directory: s.org!.displayName,
        count: sent,
      }),
    );
    return step.endDialog({ outcome: 'linked', flowId: s.flowId } satisfies LinkResult);
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** Wraps a step: state in `step.values`, and any failure ends the flow with a clear message. */
  private guard(fn: (step: WaterfallStepContext, s: LinkState) => Promise<DialogTurnResult>) {
    return async (step: WaterfallStepContext): Promise<DialogTurnResult> => {
      const values = step.values as { link?: LinkState };
      if (!values.link) {
        const from = step.context.activity.from;
        values.link = {
          flowId: uuidv4(),
          initiatorId: from.id,
          initiatorName: from.name ?? from.id,
        } satisfies LinkState;
      }
      const s = values.link as LinkState;
      try {
        return await fn(step, s);
      } catch (err) {
        return this.fail(step, s, asTenantlinkError(err));
      }
    };
  }

  private async fail(
    step: WaterfallStepContext,
    s: LinkState,
    e: TenantlinkError,
  ): Promise<DialogTurnResult> {
    this.log.error(
      {
        code: e.code,
        flowId: s.flowId,
        serviceCode: e.serviceCode,
        correlationId: e.correlationId,
        err: e,
      },
      'link step failed',
    );
    const text = this.cards(step).t(e.def.messageKey, { ...e.params, code: e.code });
    await answerInvoke(step.context, outcomeCard(text, e.code, 'Attention'));
    await step.context.sendActivity(`${text} (${e.code})`);
    if (await this.deps.changes.get(s.flowId))
      await this.deps.changes.update(s.flowId, (r) => void (r.status = 'failed'));
    return step.endDialog({ outcome: 'failed', flowId: s.flowId } satisfies LinkResult);
  }

  private async cancel(step: WaterfallStepContext, s: LinkState): Promise<DialogTurnResult> {
    const text = this.cards(step).t('cancel.done');
    await answerInvoke(step.context, outcomeCard(text));
    await step.context.sendActivity(text);
    if (await this.deps.changes.get(s.flowId))
      await this.deps.changes.update(s.flowId, (r) => void (r.status = 'cancelled'));
    return step.endDialog({ outcome: 'cancelled', flowId: s.flowId } satisfies LinkResult);
  }

  private async recordRefusal(s: LinkState, error: TenantlinkError, stage: string): Promise<void> {
    this.log.warn(
      {
        code: error.code,
        serviceCode: error.serviceCode,
        correlationId: error.correlationId,
        flowId: s.flowId,
        stage,
      },
      'directory change refused: guided path',
    );
    await this.deps.changes.update(s.flowId, (r) => {
      r.status = 'guided';
      r.audit = [
        ...r.audit,
        {
          at: new Date().toISOString(),
          by: s.initiatorId,
          action: `changeTenant:${stage}`,
          target: r.subscriptionId,
          outcome: 'refused',
          code: error.serviceCode ?? error.code,
          correlationId: error.correlationId,
        },
      ];
    });
  }

  private async accepted(step: WaterfallStepContext, _s: LinkState): Promise<boolean> {
    return (step.result as CardAction | undefined)?.verb !== 'link.cancel';
  }

  private prompt(
    s: LinkState,
    cardId: string,
    card: ReturnType<typeof renderCard>,
    verbs: CardPromptOptions['verbs'],
  ): CardPromptOptions {
    return {
      card,
      flowId: s.flowId,
      cardId,
      initiatorId: s.initiatorId,
      initiatorName: s.initiatorName,
      verbs,
    };
  }

  private signInOptions(s: LinkState): {
    flowId: string;
    initiatorId: string;
    initiatorName: string;
  } {
    return { flowId: s.flowId, initiatorId: s.initiatorId, initiatorName: s.initiatorName };
  }

  private cards(step: WaterfallStepContext): LinkCards {
    return new LinkCards(this.deps.localizer, step.context.activity.locale);
  }

  private credential(step: { context: TurnContext }, kind: SignInKind, resource: 'graph' | 'arm') {
    return this.deps.tokens.credential(step.context.activity.from.id, kind, resource);
  }

  private azureAs(step: { context: TurnContext }, kind: SignInKind): AzureManagementPort {
    return this.deps.clients.azure(this.credential(step, kind, 'arm'));
  }

  private portalUrl(_step: WaterfallStepContext): string {
    return this.deps.clients.portalUrl;
  }
}
