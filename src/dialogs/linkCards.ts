import type { SignedInAccount } from '../auth/signIn';
import {
  cardInstant,
  renderCard,
  type AdaptiveCardJson,
  type ActionIds,
  type Choice,
  type ChooseSubscriptionCardData,
  type ConfirmCardData,
  type GrantAccessCardData,
  type ImpactCardData,
} from '../cards/render';
import { plainText } from '../i18n/markdown';
import type { RecordedDecision } from '../domain/approval';
import type { AzureSubscription, DirectoryPerson, Organization } from '../domain/model';
import { GRANTABLE_ROLES } from '../domain/roles';
import type { RuleResult } from '../domain/rules';
import type { Localizer } from '../i18n';
import type { GrantResult } from '../link/access';
import type { BackedUpAssignment, ImpactReport } from '../link/impact';
import { ApprovalCards } from './approvalCards';
import { ACK_UNREAD, type InventoryCardPart } from './inventoryCards';
import type { RestorePlanEntry, RestorePlanSummary } from '../domain/restorePlan';
import { restoreChoicesData } from './restoreCards';

/** Most subscriptions listed on the choice card (keeps it well under Teams' card size limit). */
export const CHOOSE_LIMIT = 50;

/**
 * Turns the link's domain results into the localized data of its cards. One function per card;
 * all strings come from locales/.
 */

/** Largest number of role assignments the impact card lists one by one (the rest is counted). */
export const IMPACT_LIST_LIMIT = 15;

/** The typeahead dataset of one choose card (searches answer only the card they came from). */
export function subscriptionDataset(cardId: string): string {
  return `subscriptions:${cardId}`;
}

/** The live user search dataset of one grant card. */
export function usersDataset(cardId: string): string {
  return `users:${cardId}`;
}

/** An Office 365 user as a choice of the grant card. */
export function userChoice(u: DirectoryPerson): Choice {
  return { title: `${u.displayName} (${u.userPrincipalName})`, value: u.id };
}

/** Builds the link's cards for one locale. */
export class LinkCards {
  constructor(
    private readonly localizer: Localizer,
    private readonly locale: string | undefined,
  ) {}

  /** A localized string. */
  t(key: string, params: Record<string, string | number> = {}): string {
    return this.localizer.t(this.locale, key, params);
  }

  /**
   * The welcome card.
   * @param note the note under its steps (default: the link's; its wiring may give another)
   */
  welcome(ids: ActionIds, note?: string): AdaptiveCardJson {
    return renderCard('welcome', {
      ...ids,
      title: this.t('welcome.title'),
      intro: this.t('welcome.intro'),
      steps: [
        'welcome.step1',
        'welcome.step2',
        'welcome.step3',
        'welcome.step4',
        'welcome.step5',
      ].map((k) => this.t(k)),
      note: note ?? this.t('welcome.note'),
      startLabel: this.t('welcome.start'),
      cancelLabel: this.t('card.cancel'),
    });
  }

  preflight(results: readonly RuleResult[]): AdaptiveCardJson {
    const failed = results.filter((r) => !r.passed).length;
    return renderCard('preflight', {
      title: this.t('preflight.title'),
      summary:
        failed === 0
          ? this.t('preflight.allPassed')
          : this.t('preflight.failed', { count: failed }),
      rules: results.map((r) => ({
        rule: r.rule,
        icon: r.passed ? '✅' : '❌',
        color: r.passed ? 'Good' : 'Attention',
        title: this.t(`rule.${r.rule}.title`),
        detail: this.t(`rule.${r.rule}.${r.passed ? 'pass' : 'fail'}`, r.params),
        fix: r.passed ? '' : this.t(`rule.${r.rule}.fix`, r.params),
      })),
    });
  }

  chooseSubscription(
    ids: ActionIds,
    subscriptions: readonly AzureSubscription[],
    directoryNames: ReadonlyMap<string, string>,
  ): ChooseSubscriptionCardData {
    // Teams refuses cards over ~28 KB: list at most CHOOSE_LIMIT subscriptions, by name.
    const shown = [...subscriptions]
      .sort((a, b) => a.displayName.localeCompare(b.displayName))
      .slice(0, CHOOSE_LIMIT);
    const searchable = subscriptions.length > shown.length;
    const more = searchable
      ? ` ${this.t('choose.more', { shown: shown.length, count: subscriptions.length })}`
      : '';
    return {
      ...ids,
      title: this.t('choose.title'),
      text: `${this.t('choose.text')}${more}`,
      subscriptionLabel: this.t('choose.label'),
      requiredMessage: this.t('card.required'),
      subscriptions: shown.map((s) => this.subscriptionChoice(s, directoryNames)),
      style: searchable ? 'filtered' : 'expanded',
      dataset: searchable ? subscriptionDataset(ids.cardId) : '',
      chooseLabel: this.t('choose.button'),
      cancelLabel: this.t('card.cancel'),
    };
  }

  /** One subscription as a choice: name, id and the directory it trusts. */
  subscriptionChoice(s: AzureSubscription, directoryNames: ReadonlyMap<string, string>): Choice {
    return {
      title: this.t('choose.choice', {
        name: s.displayName,
        id: s.subscriptionId,
        directory: directoryNames.get(s.tenantId) ?? s.tenantId,
      }),
      value: s.subscriptionId,
    };
  }

  impact(
    ids: ActionIds,
    subscription: AzureSubscription,
    sourceName: string,
    org: Organization,
    report: ImpactReport,
    plan: RestorePlanSummary | undefined,
    inventory: InventoryCardPart,
  ): ImpactCardData {
    const n = report.assignments.length;
    return {
      ...ids,
      title: this.t('impact.title', { subscription: subscription.displayName }),
      facts: [
        {
          title: this.t('impact.subscription'),
          value: plainText(`${subscription.displayName} (${subscription.subscriptionId})`),
        },
        { title: this.t('impact.from'), value: plainText(sourceName) },
        {
          title: this.t('impact.to'),
          value: plainText(`${org.displayName} (${org.defaultDomain})`),
        },
        {
          title: this.t('impact.byType'),
          value:
            Object.entries(report.byPrincipalType)
              .map(([k, v]) => this.t('impact.count', { what: this.principalType(k), count: v }))
              .join(', ') || '—',
        },
        {
          title: this.t('impact.byRole'),
          value:
            Object.entries(report.byRole)
              .map(([k, v]) => this.t('impact.count', { what: this.roleName(k), count: v }))
              .join(', ') || '—',
        },
      ],
      removedText: this.t('impact.removed', { count: n }),
      assignments: report.assignments
        .slice(0, IMPACT_LIST_LIMIT)
        .map((a) => this.assignmentLine(a)),
      moreText:
        n > IMPACT_LIST_LIMIT ? this.t('impact.more', { count: n - IMPACT_LIST_LIMIT }) : '',
      inheritedText:
        report.inherited.length > 0
          ? this.t('impact.inherited', { count: report.inherited.length })
          : '',
      inherited: report.inherited.slice(0, IMPACT_LIST_LIMIT).map((a) => this.assignmentLine(a)),
      restoreTitle: plan && n > 0 ? this.t('impact.restore.title') : '',
      restoreLines: plan ? this.restoreLines(plan, report.customRoles.length) : [],
      ...inventory,
      // The fixed warnings stand in for the inventory only when it could not be read.
      warnings:
        inventory.inventoryBreaks.length === 1 && inventory.inventoryBreaks[0]?.ackId === ACK_UNREAD
          ? [
              'impact.warnIdentities',
              'impact.warnCustomRoles',
              'impact.warnServices',
              'impact.warnPolicy',
            ].map((k) => this.t(k))
          : [this.t('impact.warnCustomRoles')],
      billingText: this.t('impact.billing'),
      backupText: this.t('impact.backup'),
      continueLabel: this.t('impact.continueLabel'),
      cancelLabel: this.t('card.cancel'),
    };
  }

  /** One line per outcome of the restore plan, in the order restore, invite, each skip reason. */
  private restoreLines(plan: RestorePlanSummary, customRoles: number): string[] {
    const lines: string[] = [];
    if (customRoles > 0) lines.push(this.t('impact.restore.customRoles', { count: customRoles }));
    if (plan.restore > 0) lines.push(this.t('impact.restore.restore', { count: plan.restore }));
    if (plan.invite > 0) lines.push(this.t('impact.restore.invite', { count: plan.invite }));
    for (const reason of ['group', 'servicePrincipal', 'noEmail', 'other'] as const) {
      const count = plan.skipReasons[reason];
      if (count) lines.push(this.t(`impact.restore.skip.${reason}`, { count }));
    }
    return lines;
  }

  confirm(
    ids: ActionIds,
    subscription: AzureSubscription,
    org: Organization,
    error = '',
  ): ConfirmCardData {
    return {
      ...ids,
      title: this.t('confirm.title'),
      text: this.t('confirm.text', {
        subscription: subscription.displayName,
        directory: org.displayName,
      }),
      error,
      inputLabel: this.t('confirm.label', { subscription: subscription.displayName }),
      subscriptionName: subscription.displayName,
      requiredMessage: this.t('card.required'),
      confirmLabel: this.t('confirm.button'),
      cancelLabel: this.t('card.cancel'),
    };
  }

  grant(
    ids: ActionIds,
    users: readonly DirectoryPerson[],
    org: Organization,
    error = '',
    restorable: readonly RestorePlanEntry[] = [],
    moreUsers = false,
  ): GrantAccessCardData {
    return {
      ...ids,
      title: this.t('grant.title'),
      text: this.t('grant.text', { directory: org.displayName }),
      error,
      usersLabel: this.t('grant.users'),
      requiredMessage: this.t('card.required'),
      users: users.map(userChoice),
      usersStyle: moreUsers ? 'filtered' : 'expanded',
      usersDataset: moreUsers ? usersDataset(ids.cardId) : '',
      roleLabel: this.t('grant.role'),
      roles: GRANTABLE_ROLES.map((r) => ({ title: this.t(`role.${r}`), value: r })),
      ...restoreChoicesData(
        (k, p) => this.t(k, p),
        restorable,
        (r) => this.roleName(r),
      ),
      grantLabel: this.t('grant.button'),
      cancelLabel: this.t('card.cancel'),
    };
  }

  accessResults(
    grants: readonly GrantResult[],
    tested: readonly { user: DirectoryPerson; ok: boolean }[],
  ): AdaptiveCardJson {
    const ok = tested.filter((x) => x.ok).length;
    return renderCard('outcome', {
      title: this.t('test.title'),
      text: this.t('test.summary', { ok, total: tested.length }),
      color: ok === tested.length ? 'Good' : 'Attention',
      facts: grants.map((g) => ({
        title: plainText(g.user.displayName),
        value:
          this.t(`test.${g.outcome}`, { role: this.t(`role.${g.role}`), code: g.errorCode ?? '' }) +
          (tested.find((x) => x.user.id === g.user.id)?.ok
            ? ` · ${this.t('test.verified')}`
            : ` · ${this.t('test.notVerified')}`),
      })),
    });
  }

  channelNotice(
    subscription: AzureSubscription,
    org: Organization,
    by: SignedInAccount,
    granted: readonly GrantResult[],
    portalUrl: string,
    approvals: readonly RecordedDecision[] = [],
  ): AdaptiveCardJson {
    return renderCard('channelNotice', {
      title: this.t('notice.title'),
      text: this.t('notice.text', {
        subscription: subscription.displayName,
        directory: org.displayName,
      }),
      facts: [
        {
          title: this.t('notice.subscription'),
          value: plainText(`${subscription.displayName} (${subscription.subscriptionId})`),
        },
        {
          title: this.t('notice.directory'),
          value: plainText(`${org.displayName} (${org.tenantId})`),
        },
        { title: this.t('notice.by'), value: plainText(`${by.displayName} (${by.email})`) },
        {
          title: this.t('notice.access'),
          value:
            granted
              .filter((g) => g.outcome !== 'failed')
              .map((g) => `${plainText(g.user.displayName)}: ${this.t(`role.${g.role}`)}`)
              .join(', ') || '—',
        },
      ],
      // Each reader's client formats the time ({{DATE()}}/{{TIME()}} in the template).
      at: cardInstant(new Date().toISOString()),
      atLabel: this.t('notice.when'),
      // Under an approval policy: who approved (or rejected) and when, each reader's format.
      approvalsTitle: this.t('notice.approvals'),
      approvals: approvals.map((a) => ({
        line: new ApprovalCards(this.localizer, this.locale).decisionLine(a.decision, a.name, a.at),
      })),
      portalLabel: this.t('notice.portal'),
      portalUrl: `${portalUrl}/#@${org.tenantId}/resource/subscriptions/${subscription.subscriptionId}/overview`,
    });
  }

  /** One role assignment of the impact card: who (and what kind), which role, where. */
  private assignmentLine(a: BackedUpAssignment): {
    principal: string;
    role: string;
    scope: string;
  } {
    return {
      principal: this.t('impact.principal', {
        name: a.principalName,
        type: this.principalType(a.principalType),
      }),
      role: this.roleName(a.roleName),
      scope: plainText(a.scope),
    };
  }

  /** A principal type (User, Group, ServicePrincipal) in the user's language. */
  private principalType(type: string): string {
    return ['User', 'Group', 'ServicePrincipal'].includes(type)
      ? this.t(`principalType.${type}`)
      : type;
  }

  /** A built-in role's name in the user's language; a custom role's id as is. */
  private roleName(role: string): string {
    return (GRANTABLE_ROLES as readonly string[]).includes(role) ? this.t(`role.${role}`) : role;
  }
}
