import type { TurnContext } from 'botbuilder';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import type { SignedInAccount } from '../auth/signIn';
import { cardAttachment } from '../cards/render';
import {
  GLOBAL_ADMINISTRATOR_ROLE_ID,
  policyProblems,
  type ApprovalPolicy,
} from '../domain/approval';
import { TenantlinkError } from '../errors';
import type { ApprovalPolicyStore } from '../state/approvalPolicies';
import type { ConversationReferenceStore } from '../state/conversationReferences';
import { ApprovalCards } from './approvalCards';
import { answerWithMessage } from './cardAnswers';
import { ReadOnlyCommandDialog, type AccountDialogDeps } from './accountDialogs';
import { VERB, VERBS } from './verbs';

/**
 * The `policy` command (issue 29): a Global Administrator of the Office 365 tenant (checked
 * through Graph, `/me/transitiveMemberOf` as `my role` does, also through role-assignable groups)
 * sees the tenant's approval policy on a card and saves it. The save is a card that outlives the
 * command, answered before any dialog ({@link answerPolicySave}), which checks Global
 * Administrator again through Graph at the click; every change is audited by the policy store.
 * A group's display name is read through Graph at the save (`GET /groups/{id}`,
 * src/graph/approvers.ts) and stored beside its id, so that the cards name the group.
 */

/** Id of the dialog. */
export const POLICY_DIALOG = 'policyDialog';

/** What the policy command and its save use. */
export interface PolicyDeps extends AccountDialogDeps {
  readonly policies: Pick<ApprovalPolicyStore, 'get' | 'set'>;
  readonly references: Pick<ConversationReferenceStore, 'list'>;
}

/**
 * Whether the Teams user's Office 365 sign-in holds Global Administrator (Graph, directly or
 * through a role-assignable group); false when they are not signed in to Office 365.
 * @throws TenantlinkError from Graph
 */
async function isGlobalAdministrator(
  deps: Pick<PolicyDeps, 'tokens' | 'clients'>,
  userId: string,
): Promise<{ tenantId: string } | undefined> {
  const account = await deps.tokens.account(userId, 'office365');
  if (!account) return undefined;
  const directory = deps.clients.directory(deps.tokens.credential(userId, 'office365', 'graph'));
  const [roles, org] = await Promise.all([directory.myDirectoryRoles(), directory.organization()]);
  return roles.some((r) => r.roleTemplateId === GLOBAL_ADMINISTRATOR_ROLE_ID)
    ? { tenantId: org.tenantId }
    : undefined;
}

/** `policy`: the tenant's approval policy card, for a Global Administrator only. */
export class PolicyDialog extends ReadOnlyCommandDialog {
  constructor(private readonly policyDeps: PolicyDeps) {
    super(POLICY_DIALOG, policyDeps, 'office365');
  }

  protected async show(step: WaterfallStepContext, _account: SignedInAccount): Promise<void> {
    const locale = step.context.activity.locale;
    const cards = new ApprovalCards(this.policyDeps.localizer, locale);
    const admin = await isGlobalAdministrator(this.policyDeps, step.context.activity.from.id);
    if (!admin) {
      await step.context.sendActivity(cards.t('policy.notGlobalAdmin'));
      return;
    }
    const policy = await this.policyDeps.policies.get(admin.tenantId);
    const channels = (await this.policyDeps.references.list(admin.tenantId)).map((r) => ({
      teamId: r.teamId,
      name: r.teamName,
    }));
    const card = cards.policy({ flowId: uuidv4(), cardId: uuidv4() }, policy, channels);
    await step.context.sendActivity({ attachments: [cardAttachment(card)] });
  }
}

/**
 * Answers the policy card's Save: Global Administrator checked through Graph at the click, the
 * inputs read through the verb's schema (src/dialogs/verbs.ts), the policy checked
 * (policyProblems), then stored (audited).
 * @returns whether the click was a policy save (and is answered)
 * @throws TenantlinkError from Graph, Error from storage
 */
export async function answerPolicySave(
  context: TurnContext,
  action: { readonly verb: string; readonly data: Record<string, unknown> },
  deps: Pick<PolicyDeps, 'localizer' | 'tokens' | 'clients' | 'policies' | 'references'>,
): Promise<boolean> {
  if (action.verb !== VERB.savePolicy) return false;
  const t = (key: string): string => deps.localizer.t(context.activity.locale, key);
  const from = context.activity.from;
  const admin = await isGlobalAdministrator(deps, from.id);
  if (!admin) {
    await answerWithMessage(context, t('policy.notGlobalAdmin'));
    return true;
  }
  const parsed = VERBS[VERB.savePolicy].inputs.safeParse(action.data);
  if (!parsed.success) {
    await answerWithMessage(context, t('policy.invalid'));
    return true;
  }
  const inputs = parsed.data;
  let policy: ApprovalPolicy | null = null;
  if (inputs.approvers !== 'off') {
    const team = (await deps.references.list(admin.tenantId)).find(
      (r) => r.teamId === inputs.channel,
    );
    const groupId = (inputs.groupId ?? '').trim().toLowerCase();
    // The group's display name, read through Graph now and kept beside its id (cards show it).
    let groupName: string | undefined;
    if (inputs.approvers === 'group' && /^[0-9a-f-]{36}$/.test(groupId)) {
      if (!deps.clients.approvers)
        throw new TenantlinkError('internal', { detail: 'no approver directory' });
      groupName = await deps.clients
        .approvers(deps.tokens.credential(from.id, 'office365', 'graph'))
        .groupName(groupId);
      if (groupName === undefined) {
        await answerWithMessage(
          context,
          deps.localizer.t(context.activity.locale, 'policy.groupUnknown', { id: groupId }),
        );
        return true;
      }
    }
    policy = {
      required: inputs.required,
      approvers:
        inputs.approvers === 'group'
          ? { kind: 'group', groupId, groupName: groupName ?? groupId }
          : { kind: 'globalAdministrators' },
      channel: {
        teamId: team?.teamId ?? '',
        channelId: team?.teamId ?? '',
        name: team?.teamName ?? '',
      },
      expiryMs: inputs.expiryHours * 3600_000,
    };
    if (policyProblems(policy).length > 0) {
      await answerWithMessage(context, t('policy.invalid'));
      return true;
    }
  }
  await deps.policies.set(admin.tenantId, policy, { id: from.id, name: from.name ?? from.id });
  await answerWithMessage(context, t('policy.saved'));
  return true;
}
