import {
  ConversationState,
  type BotAdapter,
  type ConversationReference,
  type Storage,
} from 'botbuilder';
import type { Dialog } from 'botbuilder-dialogs';
import type { TokenSource } from '../auth/signIn';
import { MyRoleDialog, StatusDialog } from '../dialogs/accountDialogs';
import { GuidedMoveDialog } from '../dialogs/guidedMoveDialog';
import { AccessDialog, type AccessNotices, type AccessPorts } from '../dialogs/link/accessDialog';
import { AfterMoveDialog } from '../dialogs/link/afterMoveDialog';
import { BeforeYouBeginDialog } from '../dialogs/link/beforeYouBeginDialog';
import { ChecklistDialog } from '../dialogs/link/checklistDialog';
import { GUIDED_MOVE_DIALOG, LINK_DIALOG, LinkDialog } from '../dialogs/link/linkDialog';
import { MoveDialog, type MovePorts } from '../dialogs/link/moveDialog';
import { ReviewDialog } from '../dialogs/link/reviewDialog';
import { SignInAzureDialog } from '../dialogs/link/signInAzureDialog';
import {
  SignInOffice365Dialog,
  type SignInOffice365Ports,
} from '../dialogs/link/signInOffice365Dialog';
import { RootDialog } from '../dialogs/rootDialog';
import { HistoryFileExport, answerHistoryAction } from '../dialogs/history';
import type { CloudHttpOptions } from '../cloud/http';
import { AddOffice365Dialog, ExplainDialog, SignupDialog } from '../dialogs/scenarioDialogs';
import type { Localizer } from '../i18n';
import type { CloudClients } from '../link/ports';
import { ChangeRecordStore } from '../state/changeRecords';
import { ConversationReferenceStore } from '../state/conversationReferences';
import { SubscriptionLockStore } from '../state/subscriptionLocks';
import { AdapterBackgroundRunner, type LeaseOptions } from './backgroundRunner';
import { LinkNotices, ProactiveChannelNotifier } from './channelNotifier';
import { installTurnErrorHandler } from './server';
import { TenantlinkBot } from './teamsBot';
import { DEFAULT_PROPAGATION_WAIT, type PropagationWait } from '../link/move';
import { LinkProcedure } from '../link/procedure';
import { giveAccessJob } from '../link/accessJob';
import { fixKeyVaultsJob } from '../link/keyVaultJob';
import { reviewImpactJob } from '../link/impactJob';
import { changeDirectoryJob } from '../link/moveJob';
import { createLogger } from '../log';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerApprovalAction } from '../dialogs/approvalActions';
import { outcomeCard } from '../dialogs/cardPrompt';
import { ApprovalCards } from '../dialogs/approvalCards';
import { ApprovalDialog, type ApprovalPorts } from '../dialogs/link/approvalDialog';
import type { ApproverDirectoryPort } from '../graph/approvers';
import { PolicyDialog, answerPolicySave } from '../dialogs/policyDialog';
import { TenantlinkError } from '../errors';
import { ApprovalWakeups, requestApproval, type ApprovalDeps } from '../link/approvalJob';
import { lockFreeProcedure, recordAccessJob, recordMoveJob } from '../link/dryRun';
import type { LinkTraceTags } from '../telemetry/linkTrace';
import {
  DRY_RUN_COMMANDS,
  DRY_RUN_LINK_DIALOG,
  DRY_RUN_TRACE,
  dryRunNotices,
  dryRunWelcomeNote,
  recordApprovalRequest,
} from './dryRunLink';
import { ApprovalPolicyStore } from '../state/approvalPolicies';
import { ApprovalStore } from '../state/approvals';

/**
 * Builds the bot for any adapter: state on `storage`, the dialogs on the ports, the background
 * runner and the channel notifier. The same for both clouds; only the token source, the sign-in
 * dialogs and the clients' endpoints differ (src/app.ts chooses them; tests pass a TestAdapter).
 */

/** Dialog ids of the two sign-ins. */
export const SIGN_IN_DIALOG_IDS = { office365: 'signIn.office365', azure: 'signIn.azure' } as const;

/** What {@link composeBot} needs. */
export interface BotDeps {
  /** Runs turns and proactive continuations (CloudAdapter, or TestAdapter in tests). */
  readonly adapter: BotAdapter;
  /** The bot's app id ('' in local mode). */
  readonly appId: string;
  readonly storage: Storage;
  readonly tokens: TokenSource;
  readonly clients: CloudClients;
  readonly localizer: Localizer;
  readonly portalUrl: string;
  /** The sign-in dialogs, registered with the ids of {@link SIGN_IN_DIALOG_IDS}. */
  readonly signInDialogs: readonly Dialog[];
  /** This instance's name and the background jobs' lease timing (defaults: one instance). */
  readonly instanceId?: string;
  readonly lease?: LeaseOptions;
  /** How long the link waits for a moved subscription to show in its new directory. */
  readonly propagation?: PropagationWait;
  /** TLS trust and time limit of the export's upload (default: the system's CAs, 30 s). */
  readonly http?: Pick<CloudHttpOptions, 'caCertificatePem' | 'timeoutMs'>;
  /** The approvals' clock (epoch ms; issue 29's expiry): `Date.now` when absent. */
  readonly now?: () => number;
  /** Longest time between two looks of the approval job at its request (ms; default 30 s). */
  readonly approvalPollMs?: number;
}

/** What differs between two wirings of the link: the link on the clouds and its dry run. */
interface LinkWiring {
  readonly procedure: LinkProcedure;
  /** The welcome card's note in a locale (default: the link's). */
  readonly welcomeNote?: SignInOffice365Ports['welcomeNote'];
  readonly trace?: LinkTraceTags;
  readonly requestApproval: ApprovalPorts['requestApproval'];
  readonly moveJob: MovePorts['moveJob'];
  readonly accessJob: AccessPorts['accessJob'];
  readonly notices: AccessNotices;
}

/** The built bot and the stores a caller (or test) looks at. */
export interface ComposedBot {
  readonly bot: TenantlinkBot;
  readonly background: AdapterBackgroundRunner;
  readonly changes: ChangeRecordStore;
  readonly references: ConversationReferenceStore;
}

const log = createLogger('compose');

/** Builds the bot (see the module comment); sets the adapter's turn error handler. */
export function composeBot(deps: BotDeps): ComposedBot {
  const { adapter, appId, storage, tokens, clients, localizer } = deps;
  const conversationState = new ConversationState(storage);
  const changes = new ChangeRecordStore(storage);
  const references = new ConversationReferenceStore(storage);
  installTurnErrorHandler(adapter, conversationState, localizer);
  const notifier = new ProactiveChannelNotifier(adapter, appId, references);
  const background = new AdapterBackgroundRunner(
    adapter,
    appId,
    storage,
    deps.instanceId,
    deps.lease,
  );
  // One procedure for the link and the key vault dialog.
  const procedure = new LinkProcedure(
    {
      tokens,
      clients,
      changes,
      notifier,
      locks: new SubscriptionLockStore(storage),
      propagation: deps.propagation ?? DEFAULT_PROPAGATION_WAIT,
    },
    createLogger('link-procedure'),
  );
  // The approval step (issue 29): the tenants' policies, the requests, the wait as a parked job.
  const policies = new ApprovalPolicyStore(storage, deps.now);
  const approval: ApprovalDeps = {
    approvals: new ApprovalStore(storage, deps.now),
    changes,
    notices: {
      remind: async (request) => {
        const text = localizer.t(undefined, 'approval.reminder', {
          name: request.initiatorName,
          channel: request.policy.channel.name,
        });
        await notifier.post(request.policy.channel.teamId, outcomeCard(text));
        // And to the initiator, in the link's chat ("reminds once": the same one reminder).
        const chat = request.card?.initiatorChat;
        if (!chat) return;
        const own = localizer.t(chat.locale, 'approval.reminderInitiator', {
          channel: request.policy.channel.name,
        });
        try {
          // Saved by the approval stage from TurnContext.getConversationReference (JSON).
          const reference = chat.reference as Partial<ConversationReference>;
          await notifier.postInChat(reference, outcomeCard(own));
        } catch (err) {
          log.warn({ flowId: request.flowId, err }, 'reminder not sent to the initiator');
        }
      },
      // The channel's approval card as the request stands: everyone's read-only view with the
      // answers so far, or how it ended (no buttons, no refresh).
      show: async (request) => {
        const activityId = request.card?.activityId;
        if (!request.card || !activityId) return;
        const card = new ApprovalCards(localizer, undefined).approval(
          request,
          request.card.subject,
          false,
          request.card.userIds,
        );
        await notifier.update(request.policy.channel.teamId, activityId, card);
      },
    },
    // The wait for people does not count as a running job (the runner's idle()).
    pause: (ms, signal) =>
      background.parked(sleep(ms, undefined, { signal, ref: false }).catch(() => undefined)),
    ...(deps.approvalPollMs !== undefined ? { pollMs: deps.approvalPollMs } : {}),
    wakeups: new ApprovalWakeups(),
  };
  const approverDirectory = (userId: string): ApproverDirectoryPort => {
    if (!clients.approvers) throw new TenantlinkError('internal', { detail: 'no approvers' });
    return clients.approvers(tokens.credential(userId, 'office365', 'graph'));
  };
  const signInDialogIds = SIGN_IN_DIALOG_IDS;
  const readOnly = { localizer, tokens, clients, signInDialogIds };
  const notices = new LinkNotices(localizer, procedure, notifier, changes);
  /** The link's stages, each with the ports it uses (src/dialogs/link/), on `wiring`'s. */
  const linkDialog = (id: string, wiring: LinkWiring): LinkDialog => {
    const stage = { localizer, tokens, procedure: wiring.procedure, trace: wiring.trace };
    return new LinkDialog(
      {
        signInOffice365: new SignInOffice365Dialog({
          ...stage,
          signInDialogId: signInDialogIds.office365,
          welcomeNote: wiring.welcomeNote,
        }),
        signInAzure: new SignInAzureDialog({ ...stage, signInDialogId: signInDialogIds.azure }),
        beforeYouBegin: new BeforeYouBeginDialog({
          ...stage,
          userRealm: (email) => clients.userRealm(email),
        }),
        review: new ReviewDialog({
          ...stage,
          background,
          impactJob: (userId, s) => reviewImpactJob(procedure, userId, s),
        }),
        approval: new ApprovalDialog({
          ...stage,
          policies,
          approval,
          requestApproval: wiring.requestApproval,
          changes,
          background,
          channel: notifier,
          approverDirectory,
        }),
        move: new MoveDialog({
          ...stage,
          changes,
          background,
          moveJob: wiring.moveJob,
          guidedMoveDialogId: GUIDED_MOVE_DIALOG,
        }),
        access: new AccessDialog({
          ...stage,
          changes,
          background,
          accessJob: wiring.accessJob,
          notices: wiring.notices,
          portalUrl: clients.portalUrl,
        }),
        afterMove: new AfterMoveDialog({ ...stage, changes }),
      },
      id,
    );
  };
  // The link on the clouds.
  const link = linkDialog(LINK_DIALOG, {
    procedure,
    requestApproval: async (s) => ({
      kind: 'requested',
      request: await requestApproval(approval, s),
    }),
    moveJob: (userId, s) => changeDirectoryJob(procedure, userId, s),
    accessJob: (userId, s, progress) => giveAccessJob(procedure, userId, s, progress),
    notices,
  });
  // The dry run: the same link on recording ports (src/bot/dryRunLink.ts).
  const dryRunLink = linkDialog(DRY_RUN_LINK_DIALOG, {
    procedure: lockFreeProcedure(procedure),
    welcomeNote: dryRunWelcomeNote(localizer),
    trace: DRY_RUN_TRACE,
    requestApproval: recordApprovalRequest(localizer),
    moveJob: (userId, s) => recordMoveJob(procedure, userId, s),
    accessJob: (userId, s) => recordAccessJob(procedure, userId, s),
    notices: dryRunNotices(notices),
  });
  // The after-move checklist's one handler: its buttons and its refresh.
  const checklist = new ChecklistDialog({
    changes,
    background,
    localizer,
    keyVaultJob: (userId, s) => fixKeyVaultsJob(procedure, userId, s),
  });
  const policyDeps = { ...readOnly, policies, references };
  const children = [
    ...deps.signInDialogs,
    link,
    dryRunLink,
    new GuidedMoveDialog(GUIDED_MOVE_DIALOG, localizer, deps.portalUrl, (step) =>
      clients.azure(tokens.credential(step.context.activity.from.id, 'office365', 'arm')),
    ),
    new StatusDialog(readOnly),
    new MyRoleDialog(readOnly),
    new SignupDialog(readOnly),
    new AddOffice365Dialog(readOnly),
    new ExplainDialog(readOnly),
    new PolicyDialog(policyDeps),
    checklist,
  ];
  const root = new RootDialog(localizer, tokens, changes, children, DRY_RUN_COMMANDS);
  const files = new HistoryFileExport({
    localizer,
    changes,
    http: deps.http ?? { timeoutMs: 30_000 },
  });
  const bot = new TenantlinkBot(
    conversationState,
    root,
    references,
    localizer,
    async (context, action) =>
      (await checklist.refresh(context, action)) ||
      (await answerApprovalAction(context, action, {
        localizer,
        approval,
        approvers: (credential) => {
          if (!clients.approvers) throw new TenantlinkError('internal', { detail: 'no approvers' });
          return clients.approvers(credential);
        },
        credential: (userId) => tokens.credential(userId, 'office365', 'graph'),
      })) ||
      (await answerPolicySave(context, action, policyDeps)) ||
      answerHistoryAction(context, action, { localizer, changes }),
    files,
  );
  background.attach(bot);
  return { bot, background, changes, references };
}
