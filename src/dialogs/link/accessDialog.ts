import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import { z } from 'zod';
import { plannedWritesCard, plannedWritesDone } from '../../cards/plannedWrites';
import { RESTORE_CHOICE_LIMIT, cardAttachment, renderCard } from '../../cards/render';
import { GRANTABLE_ROLES } from '../../domain/roles';
import { errorFromJson } from '../../errors';
import type { GrantResult } from '../../link/access';
import type {
  AccessJobResult,
  AccessProgress,
  AccessStage,
  RecordedAccessResult,
} from '../../link/accessJob';
import type { LinkProcedure } from '../../link/procedure';
import { restoreWork } from '../../link/restoreRecord';
import { ACCESS_STAGE, readStage } from '../../link/stageSchemas';
import type { AccessedFlow, MovedFlow } from '../../link/stages';
import type { ChangeRecordStore } from '../../state/changeRecords';
import { inLinkStep } from '../../telemetry/linkTrace';
import { answerInvoke, outcomeCard } from '../cardPrompt';
import type { VerbInputs } from '../verbs';
import { SEARCH_RESULTS_MAX } from '../cardSearch';
import { LinkCards, userChoice } from '../linkCards';
import { restoreChoiceOf, restoreKey, restoreReportCard } from '../restoreCards';
import { jobResult, type BackgroundRunner, type ProgressReporter } from '../waitForBackground';
import { LinkStageDialog, type StagePorts } from './linkStageDialog';
import { VERB } from '../verbs';

/**
 * Seed step 3: give Office 365 accounts access to the subscription (RBAC roles replace the retired
 * co-administrators), restore what the move removed, test the access (its job,
 * src/link/accessJob.ts), and tell the team's channels. An access job that records
 * (src/link/ `recordAccessJob`) answers with the writes it listed: the flow's plan with
 * them is shown, and the link ends here (nothing moved: nothing to do after the move).
 */

/** Id of the stage. */
export const ACCESS_STAGE_DIALOG = 'linkStage.access';
/** Largest number of Office 365 users offered on the grant card (the first page). */
export const GRANT_PAGE_SIZE = 50;

/** What the team channels' notice of a link names (the access job's stage keeps it: JSON). */
export type NoticeFacts = Pick<AccessedFlow, 'subscription' | 'org' | 'office365'> & {
  readonly portalUrl: string;
  /** The Teams name of the link's initiator. */
  readonly initiatorName: string;
};

/**
 * The notice the access stage asks for when its job is done (src/bot/channelNotifier.ts
 * `LinkNotices` renders and sends it to the team channels of the Office 365 tenant).
 */
export interface AccessNotices {
  /**
   * @param granted the access job's grants
   * @param locale the locale of the click that started the job ('' for the default)
   * @returns how many channels were told
   */
  linked(
    flowId: string,
    facts: NoticeFacts,
    granted: readonly GrantResult[],
    locale: string,
  ): Promise<number>;
}

/** What the access job answers: what it granted, restored and tested, or its writes recorded. */
export type AccessOutcome = AccessJobResult | RecordedAccessResult;

/** What the stage uses. */
export interface AccessPorts extends StagePorts {
  readonly procedure: Pick<LinkProcedure, 'setStatus' | 'unlock' | 'directory'>;
  readonly changes: ChangeRecordStore;
  readonly background: BackgroundRunner;
  /** The grant, restore and test (src/link/accessJob.ts `giveAccessJob`), as `userId`. */
  readonly accessJob: (
    userId: string,
    stage: AccessStage,
    progress: (p: AccessProgress) => void,
  ) => Promise<AccessOutcome>;
  /** The notices to the team channels (src/bot/channelNotifier.ts `LinkNotices`). */
  readonly notices: AccessNotices;
  /** The Azure portal's URL. */
  readonly portalUrl: string;
}

/**
 * The access job's stage with the dialog's part: the locale and what the notice names (zod schema
 * of the JSON kept in the job's record; `readStage` throws TL-INTERNAL on a mismatch).
 */
export const ACCESS_JOB_STAGE = ACCESS_STAGE.extend({
  locale: z.string(),
  notice: z.object({
    subscription: z.object({ subscriptionId: z.string(), displayName: z.string() }).passthrough(),
    org: z.object({ tenantId: z.string(), displayName: z.string() }).passthrough(),
    office365: z.object({ displayName: z.string() }).passthrough(),
    portalUrl: z.string(),
    // Jobs stored before this field existed (a deploy while a grant was running) still resume;
    // only the notice of a link wired on recording ports reads the name.
    initiatorName: z.string().default(''),
  }),
});

/** The stage's background job: the grant card's answer, its locale and what the notice names. */
interface AccessJobs {
  readonly access: AccessStage & {
    readonly locale: string;
    readonly notice: NoticeFacts;
  };
}

/** What the access job reports to the stage: its outcome, and how many channels were told. */
export type AccessStepResult = AccessOutcome & {
  /** How many team channels were told that the link is complete. */
  readonly channels: number;
};

/** Grant, restore, test, tell the channels; ends with the link's access given. */
export class AccessDialog extends LinkStageDialog<MovedFlow, AccessedFlow, MovedFlow> {
  constructor(private readonly deps: AccessPorts) {
    super(ACCESS_STAGE_DIALOG, deps, {
      // The grant card's typeahead: Office 365 users by name, as the Office 365 admin.
      users: async (context, request) =>
        (
          await deps.procedure.directory(context.activity.from.id, 'office365').listUsers({
            search: request.queryText.trim() || undefined,
            pageSize: SEARCH_RESULTS_MAX,
          })
        ).users.map(userChoice),
    });
    this.jobs<AccessJobs>(deps.background, {
      access: (userId, stage, progress) =>
        inLinkStep(this.traced(stage), 'job.access', () => this.access(userId, stage, progress)),
    });
    this.steps([
      ['access.grant', (step, flow) => this.grantCard(step, flow)],
      [
        'access.start',
        this.answered(VERB.grantAccess, (step, flow, answer) => this.start(step, flow, answer)),
      ],
      ['access.after', (step, flow) => this.afterAccess(step, flow)],
    ]);
  }

  protected enter(_context: TurnContext, options: MovedFlow): MovedFlow {
    return options;
  }

  /** Offers the Office 365 accounts and the role to give them. */
  private async grantCard(
    step: WaterfallStepContext<MovedFlow>,
    flow: MovedFlow,
  ): Promise<DialogTurnResult> {
    const cards = this.cards(step);
    const office365 = this.deps.procedure.directory(flow.initiatorId, 'office365');
    const page = await office365.listUsers({ pageSize: GRANT_PAGE_SIZE });
    const { entries } = await restoreWork(this.deps.changes, flow.flowId);
    const restorable = entries.filter((e) => e.action.kind !== 'skip');
    const ids = { flowId: flow.flowId, cardId: uuidv4() };
    const moreUsers = page.cursor !== undefined;
    const data = cards.grant(ids, page.users, flow.org, '', restorable, moreUsers);
    return this.ask(step, flow, {
      cardId: ids.cardId,
      card: renderCard('grantAccess', data),
      verbs: [VERB.grantAccess],
      retryCard: renderCard('grantAccess', { ...data, error: cards.t('grant.pick') }),
      // More users than the card lists: its typeahead searches the directory live, and the chosen
      // ids are checked against the directory when the card is answered.
      ...(moreUsers ? { search: { dataset: data.usersDataset, source: 'users' } } : {}),
      rules: {
        [VERB.grantAccess]: {
          required: ['principalIds'],
          oneOf: {
            ...(moreUsers ? {} : { principalIds: page.users.map((u) => u.id) }),
            role: [...GRANTABLE_ROLES],
            restore: ['true', 'false'],
            restoreIds: restorable.slice(0, RESTORE_CHOICE_LIMIT).map((_, i) => restoreKey(i)),
          },
        },
      },
    });
  }

  /** The grant card answered: says at once that the work started and runs it as the access job. */
  private async start(
    step: WaterfallStepContext<MovedFlow>,
    flow: MovedFlow,
    answer: VerbInputs<typeof VERB.grantAccess>,
  ): Promise<DialogTurnResult> {
    const cards = this.cards(step);
    const { role, restore } = answer;
    const chosen = new Set(answer.principalIds);
    const working = cards.t('grant.working', { count: chosen.size, role: cards.t(`role.${role}`) });
    await answerInvoke(step.context, outcomeCard(working, '', 'Good'));
    const restoreChoice = restoreChoiceOf(answer.restoreIds);
    // Where an invited guest lands: the portal, at the Office 365 directory.
    const redirectUrl = `${this.deps.portalUrl}/#@${flow.org.tenantId}`;
    return this.runJob<AccessJobs, 'access'>(step, 'access', {
      flowId: flow.flowId,
      initiatorId: flow.initiatorId,
      subscriptionId: flow.subscription.subscriptionId,
      role,
      principalIds: [...chosen],
      restore,
      ...(restoreChoice ? { restoreChoice } : {}),
      notice: {
        subscription: flow.subscription,
        org: flow.org,
        office365: flow.office365,
        portalUrl: this.deps.portalUrl,
        initiatorName: flow.initiatorName,
      },
      redirectUrl,
      locale: step.context.activity.locale ?? '',
    });
  }

  /**
   * The access job with its progress shown on the grant card, in the locale of the click that
   * started it, and then the notice to the team channels (sent by the channel notifier, once per
   * flow): all of step 3 runs in the leased job, none in a turn.
   */
  private async access(
    userId: string,
    stage: AccessJobs['access'],
    progress: ProgressReporter,
  ): Promise<AccessStepResult> {
    // Read back from the dialog state: checked before anything is granted (stageSchemas.ts).
    readStage(ACCESS_JOB_STAGE, stage, 'access');
    const cards = new LinkCards(this.deps.localizer, stage.locale || undefined);
    const t = (k: string, p?: Record<string, string | number>): string => cards.t(k, p);
    const { role } = stage;
    const roleName = t(`role.${role}`);
    const result = await this.deps.accessJob(userId, stage, (p) =>
      progress(
        outcomeCard(
          t('grant.progress', { role: roleName, done: p.granted, total: p.grantTotal }),
          p.restoreTotal > 0
            ? t('restore.progress', { done: p.restored, total: p.restoreTotal })
            : '',
        ),
      ),
    );
    const channels = await this.deps.notices.linked(
      stage.flowId,
      stage.notice,
      result.grants,
      stage.locale,
    );
    return { ...result, channels };
  }

  /**
   * The access job's outcome: the restore report, the grant and test results, and how many team
   * channels were told; or, for writes recorded instead of made, the flow's plan with them, and
   * the link ends. A job that failed ends the link as failed, recorded, with the error told.
   */
  private async afterAccess(
    step: WaterfallStepContext<MovedFlow>,
    flow: MovedFlow,
  ): Promise<DialogTurnResult> {
    const result = jobResult<AccessStepResult>(step);
    if (!result.ok) return this.fail(step, flow, errorFromJson(result.error));
    const cards = this.cards(step);
    const outcome = result.value;
    const send = (text: string) => step.context.sendActivity(text);
    const directory = flow.org.displayName;
    if (outcome.missing > 0)
      await send(cards.t('grant.notFound', { count: outcome.missing, directory }));
    if ('writes' in outcome) {
      const plan = [...(flow.plan ?? []), ...outcome.writes];
      const t = (k: string, p?: Record<string, string | number>): string => cards.t(k, p);
      const card = renderCard('outcome', plannedWritesCard(t, plan));
      await step.context.sendActivity({ attachments: [cardAttachment(card)] });
      const subscription = flow.subscription.displayName;
      await send(plannedWritesDone(t, plan, { subscription, directory }));
      return this.end(step, flow, 'linked');
    }
    if (outcome.restore)
      await step.context.sendActivity({
        attachments: [cardAttachment(restoreReportCard((k, p) => cards.t(k, p), outcome.restore))],
      });
    await step.context.sendActivity({
      attachments: [cardAttachment(cards.accessResults(outcome.grants, outcome.tested))],
    });
    const count = outcome.channels;
    const subscription = flow.subscription.displayName;
    await send(
      cards.t(count > 0 ? 'done.notified' : 'done.noChannel', { subscription, directory, count }),
    );
    return this.next(step, flow);
  }
}
