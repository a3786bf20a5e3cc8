/**
 * Seed data of the sandbox cloud: the cast of the seed documents (Contoso, Kelley Wall, Jane and
 * Tricia; seeds 000–004) plus one negative case for each before-you-begin rule R1–R5 and
 * subscriptions whose directory change is refused. Pure data: the sandbox server copies it into
 * its mutable state at start and on reset.
 *
 * Identifiers are fixed so that tests, the Agents Playground configuration and the README can
 * name them. Built-in role definition ids are Azure's own (Owner, Contributor, Reader: see
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
 */
import { BUILT_IN_ROLES, CONSUMER_TENANT_ID, DIRECTORY_ROLES } from '../domain/roles';

export { BUILT_IN_ROLES, CONSUMER_TENANT_ID, DIRECTORY_ROLES };

/** A sign-in identity: what a person types at the sign-in page. */
export interface SeedAccount {
  /** Stable id of the account in the sandbox (not an Entra id). */
  readonly accountId: string;
  /** Email or UPN typed at sign-in. Two accounts may share it (one MSA, one work account). */
  readonly signInName: string;
  /** Sandbox-only password; distinguishes two accounts that share a sign-in name. */
  readonly password: string;
  /** `msa` = Microsoft account (idp live.com); `work` = work or school account. */
  readonly kind: 'msa' | 'work';
  /** Home tenant: the consumer tenant for an MSA, the member tenant for a work account. */
  readonly homeTenantId: string;
  readonly displayName: string;
}

/** A user object in one directory (a member, or a guest standing for an external account). */
export interface SeedUser {
  /** Object id (`oid`) in this directory. */
  readonly id: string;
  /** The account that signs in as this user. */
  readonly accountId: string;
  readonly displayName: string;
  readonly givenName: string;
  readonly surname: string;
  readonly userPrincipalName: string;
  readonly mail: string | null;
  readonly otherMails: readonly string[];
  readonly userType: 'Member' | 'Guest';
  readonly jobTitle: string | null;
}

/** A non-user principal (service principal, group, managed identity) of a directory. */
export interface SeedPrincipal {
  readonly id: string;
  readonly displayName: string;
  readonly principalType: 'ServicePrincipal' | 'Group';
}

/** An Entra ID directory (tenant). */
export interface SeedTenant {
  readonly id: string;
  readonly displayName: string;
  /** Verified domains; the first is the initial `*.onmicrosoft.com` domain. */
  readonly domains: readonly string[];
  /** Whether the tenant has Office 365 (Microsoft 365) subscribed SKUs. */
  readonly hasOffice365: boolean;
  readonly users: readonly SeedUser[];
  readonly principals: readonly SeedPrincipal[];
  /** Directory role assignments: principal id (a user or a role-assignable group) → role template ids. */
  readonly directoryRoles: Readonly<Record<string, readonly string[]>>;
  /**
   * Role-assignable groups: their members hold the group's directory roles (Entra ID role
   * assignment to groups, https://learn.microsoft.com/entra/identity/role-based-access-control/groups-concept).
   */
  readonly groups?: readonly {
    readonly id: string;
    readonly displayName: string;
    readonly members: readonly string[];
  }[];
  /**
   * Privileged Identity Management eligibilities: principal id → role template ids the user may
   * activate but does not hold until activated
   * (https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-activate-role).
   */
  readonly roleEligibilities?: Readonly<Record<string, readonly string[]>>;
  /** Microsoft.Subscription tenant policy (blockSubscriptionsLeavingTenant / IntoTenant). */
  readonly policy: {
    readonly blockSubscriptionsLeavingTenant: boolean;
    readonly blockSubscriptionsIntoTenant: boolean;
  };
}

/**
 * An Azure RBAC role assignment; `scope` is relative to the subscription ('' = subscription,
 * `/resourceGroups/…` below it), or absolute for one inherited from above it: a management group
 * (`/providers/Microsoft.Management/managementGroups/{id}`) or the root (`/`). ARM lists inherited
 * assignments with the subscription's own (https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-rest).
 */
export interface SeedRoleAssignment {
  /** Role assignment name (a GUID). */
  readonly name: string;
  readonly principalId: string;
  readonly principalType: 'User' | 'Group' | 'ServicePrincipal';
  /** GUID of the role definition, e.g. {@link BUILT_IN_ROLES}.Owner. */
  readonly roleDefinitionId: string;
  /** '' for the subscription itself, or e.g. '/resourceGroups/rg-web'. */
  readonly scope: string;
}

/** An Azure subscription and the directory it trusts. */
export interface SeedSubscription {
  readonly subscriptionId: string;
  readonly displayName: string;
  readonly tenantId: string;
  /**
   * How the changeTenantRequest API behaves for it: `allowed`; `blockedByPolicy` (the source
   * tenant's policy refuses the move: the guided portal path is offered); `apiUnavailable` (the
   * preview API is not enabled for this subscription).
   */
  readonly changeTenant: 'allowed' | 'blockedByPolicy' | 'apiUnavailable';
  /**
   * ARM's `state` (Microsoft.Resources 2022-12-01 `SubscriptionState`); `Enabled` when absent.
   * Meanings: https://learn.microsoft.com/azure/cost-management-billing/manage/subscription-states
   */
  readonly state?: 'Enabled' | 'Warned' | 'PastDue' | 'Disabled' | 'Deleted';
  /**
   * ARM's `subscriptionPolicies.quotaId` (the offer); `PayAsYouGo_2014-09-01` when absent. Quota
   * ids per offer: https://learn.microsoft.com/azure/cost-management-billing/costs/understand-cost-mgt-data
   */
  readonly quotaId?: string;
  readonly roleAssignments: readonly SeedRoleAssignment[];
  /**
   * Custom role definitions listed at the subscription: its own (assignable scope the subscription,
   * deleted by a move) and, with {@link SeedCustomRole.assignableScopes}, those defined above it.
   */
  readonly customRoles?: readonly SeedCustomRole[];
  /** Its resources, as Azure Resource Graph's `resources` table shows them. */
  readonly resources?: readonly SeedResource[];
  /** Its Azure Policy objects, as Resource Graph's `policyresources` table shows them. */
  readonly policies?: readonly SeedPolicy[];
}

/**
 * A resource of a subscription (the `resources` table of Azure Resource Graph: id, name, type,
 * kind, location, resourceGroup, identity, properties).
 */
export interface SeedResource {
  readonly name: string;
  /** ARM type as deployed, e.g. `Microsoft.KeyVault/vaults` (Resource Graph lower-cases it). */
  readonly type: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly kind?: string;
  /** `{ type: 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned, UserAssigned' }`. */
  readonly identity?: { readonly type: string };
  /**
   * The resource's ARM `properties`, shown as is by Resource Graph, in the shapes of the REST
   * specs (Azure/azure-rest-api-specs) that tenantlink's inventory reads (src/domain/inventory.ts
   * cites each): a key vault's `tenantId`, `accessPolicies`, `vaultUri`; a Managed HSM's `tenantId`
   * and `hsmUri` (keyvault stable/2023-07-01 examples/ManagedHsm_Get.json at commit
   * 3873f33d7b91f28c55d7c98b6eb7da8aa5a5bda4); a storage account's `isHnsEnabled` and
   * `encryption: { keySource: 'Microsoft.Keyvault', keyvaultproperties: { keyvaulturi, keyname,
   * keyversion } }` (storage stable/2023-05-01 examples/StorageAccountEnableCMK.json at commit
   * d64572e92b815d47de3ffcdbcc37c75fab0375da); a SQL server's `administrators.administratorType`
   * and TDE protector `keyId` (sql stable/2021-11-01/Servers.json at commit
   * 152c1a62d604952fea30dbf96949a317560392e7); a disk encryption set's `activeKey: { sourceVault:
   * { id }, keyUrl }` and a disk's `encryptionSettingsCollection: { enabled, encryptionSettings: [{
   * diskEncryptionKey: { sourceVault: { id }, secretUrl }, keyEncryptionKey?: { sourceVault: { id
   * }, keyUrl } }] }` (compute DiskRP stable/2023-04-02 examples DiskEncryptionSet_Get.json and
   * Disk_Get.json at commit 1fc7d717e7f0b4f991a1bb36e552281f09c1edab).
   */
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** An Azure Policy object at the subscription (assignment, definition or exemption). */
export interface SeedPolicy {
  readonly name: string;
  /**
   * `Microsoft.Authorization/policyAssignments`, `…/policyDefinitions`, `…/policySetDefinitions`
   * (a custom initiative) or `…/policyExemptions`.
   */
  readonly type: string;
  readonly displayName?: string;
}

/** A custom role definition (Microsoft.Authorization roleDefinitions, type CustomRole). */
export interface SeedCustomRole {
  /** The definition's GUID. */
  readonly id: string;
  readonly roleName: string;
  readonly description: string;
  readonly actions: readonly string[];
  /**
   * Full ARM assignable scopes; `[/subscriptions/{id}]` of its subscription when absent. A role
   * defined at a management group has `/providers/Microsoft.Management/managementGroups/{id}`:
   * RoleDefinitions_List at the subscription returns it too, as it returns every role definition
   * "applicable at scope and above" (azure-rest-api-specs `authorization-RoleDefinitionsCalls.json`,
   * 2022-04-01, commit 007a51db374076edb902fd44eb8299eea6336335).
   */
  readonly assignableScopes?: readonly string[];
}

/**
 * An app registration (Microsoft Entra application object) that the sandbox's identity platform
 * knows: the client ids it answers at all (any other is AADSTS700016,
 * "UnauthorizedClient_DoesNotMatchRequest - The application wasn't found in the directory/tenant",
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes). Every one is a
 * multi-tenant app consented in every directory of the seed.
 */
export interface SeedApplication {
  /** Application (client) id, the `client_id` of requests. */
  readonly appId: string;
  readonly displayName: string;
  /**
   * Redirect URIs of its `web` platform (`replyUrlsWithType`), as "Redirect URI (reply URL)
   * restrictions and limitations" allows them
   * (https://learn.microsoft.com/entra/identity-platform/reply-url): `https`, or `http` only for
   * `localhost` / `127.0.0.1`, registered without a port (the port of a loopback redirect URI is
   * ignored when matching; the IPv6 loopback `[::1]` is not supported).
   */
  readonly redirectUris: readonly string[];
  /**
   * `isFallbackPublicClient` ("Allow public client flows"): a public client, which sends no
   * client secret. The resource-owner password grant is open without a secret only to a public
   * client; a confidential client "must" send `client_secret` or `client_assertion`
   * (https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc), else AADSTS7000218.
   */
  readonly isFallbackPublicClient: boolean;
  /**
   * Whether the app has a client secret (`passwordCredentials`); true when absent. A secretless
   * app refuses any `client_secret` (AADSTS7000215, "Invalid client secret is provided",
   * https://learn.microsoft.com/entra/identity-platform/reference-error-codes); the sandbox checks
   * no secret's value otherwise.
   */
  readonly hasClientSecret?: boolean;
  /**
   * Its federated identity credentials (Microsoft Graph `federatedIdentityCredential`,
   * https://learn.microsoft.com/graph/api/resources/federatedidentitycredential): a client
   * assertion whose `iss`, `sub` and `aud` match one of them exactly authenticates the app.
   */
  readonly federatedIdentityCredentials?: readonly SeedFederatedIdentityCredential[];
}

/**
 * A federated identity credential of an app registration: "issuer and subject are the key pieces
 * of information needed to set up the trust relationship … checked against the issuer and subject
 * claims provided in the Managed Identity token", the audience "the value that appears in the aud
 * claim"; case-sensitive, no wildcard ("Configure an application to trust a managed identity",
 * https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity).
 */
export interface SeedFederatedIdentityCredential {
  /** 3-120 characters, unique on the app. */
  readonly name: string;
  /** For a managed identity: its tenant's authority, `{authority host}/{tenant}/v2.0`. */
  readonly issuer: string;
  /** For a managed identity: its object (principal) id. */
  readonly subject: string;
  /** Exactly one today: `api://AzureADTokenExchange` in Microsoft Entra ID's global service. */
  readonly audiences: readonly string[];
}

/**
 * A user-assigned managed identity the sandbox's managed identity endpoint (src/sandbox/
 * managedIdentity.ts) issues tokens for: its client id (`AZURE_CLIENT_ID`), its object (principal)
 * id, which is the `sub` and `oid` of its tokens, and its directory.
 */
export interface SeedManagedIdentity {
  readonly clientId: string;
  readonly principalId: string;
  readonly tenantId: string;
  readonly displayName: string;
}

/** The whole seed. */
export interface Seed {
  /** The app registrations the identity platform answers (see {@link SeedApplication}). */
  readonly applications: readonly SeedApplication[];
  /** User-assigned managed identities of the hosting (see {@link SeedManagedIdentity}). */
  readonly managedIdentities?: readonly SeedManagedIdentity[];
  readonly accounts: readonly SeedAccount[];
  readonly tenants: readonly SeedTenant[];
  readonly subscriptions: readonly SeedSubscription[];
}

/** Well-known ids of the seed, for tests and configuration. */
export const IDS = {
  applications: {
    /**
     * tenantlink's own sign-in in local mode (src/bot/signIns.ts): a confidential web app whose
     * redirect URI is the bot's `/auth/azure/callback` on loopback, whatever port the bot gets.
     */
    local: 'tenantlink-local',
    /** The sandbox sign-in card's client (src/auth/sandboxTokenService.ts): a public client. */
    signInCard: 'tenantlink-sandbox',
    /** Tests' confidential web app (test/auth, test/sandbox). */
    test: 'tenantlink-test',
    /**
     * tenantlink's own sign-in in local mode with `ADMIN_SIGNIN_CREDENTIAL=managedIdentity`: a
     * confidential web app with no client secret, trusting the bot's user-assigned managed identity
     * ({@link IDS.managedIdentities.bot}) through a federated identity credential.
     */
    federated: 'tenantlink-local-federated',
  },
  managedIdentities: {
    /** The bot's user-assigned managed identity (in Contoso, the bot's directory). */
    bot: {
      clientId: '7d3b6f1e-2a4c-4e8b-9f10-5c6d7e8f9a0b',
      principalId: 'c4a1e2f3-5b6d-4c7e-8f90-a1b2c3d4e5f6',
    },
  },
  tenants: {
    contoso: 'cf2c1c8a-9a1b-4584-9523-71a6b29ed542',
    defaultDirectory: 'a9ea5b18-e185-45c7-a29e-29e0de901d66',
    contosoLab: 'b3715e2d-e59a-4601-9810-6d131b47a911',
    fabrikam: '091f747c-7f14-4817-b7c4-5d5507a40a62',
  },
  users: {
    kelleyContoso: '402d83a0-e941-468c-866e-7574a8ab6a92',
    janeContoso: 'b7078861-5420-4a6d-943d-0179c0d46d5c',
    triciaContoso: 'af1975d2-c139-4707-b3a3-5559acbe1ebd',
    meganContoso: 'd5291e8e-4f53-4e87-9354-d53af1920889',
    lidiaContoso: '5e7a4c1d-2b9f-4d3e-8a61-7c0f9b2d4e15',
    nestorContoso: '9c2b7e4a-6d1f-4a8b-b3c5-1e0d8f6a2b97',
    kelleyMsaInDefault: 'b931fba3-613d-4e86-b5ae-cdd464ce09ec',
    samMsaInDefault: 'ef29e3a9-8e37-4beb-bf71-35f74ba20915',
    readerMsaInDefault: '40087a03-8ea8-49eb-a3bd-d1184e49db28',
    janeGuestInLab: '6382ae22-bcc0-415f-887e-a96ddbfb0948',
    meganMsaInLab: '64534fbd-9b5a-4274-aa41-6e9deb3a69b7',
    leeMsaInLab: '0cc90884-8f71-4265-9d93-246292d9674a',
    leeFabrikam: '25939a61-8acd-482d-9ea1-ed255dc90d47',
  },
  principals: {
    buildPipelineSp: '19927b7b-8387-469b-b892-d4ea2bce0be1',
  },
  groups: {
    /** Contoso's role-assignable group that holds Global Administrator; Lidia is its member. */
    contosoGlobalAdmins: '2f6c1a9e-7b3d-4e58-9c0a-4d1e8b7f6a35',
  },
  subscriptions: {
    payAsYouGo: 'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa',
    visualStudio: '0e897ddb-47e1-4340-a6c7-fbf5b611e641',
    devTest: '1c29c9ed-5177-49c8-ab17-c72e45f1a369',
    lab: 'f9457a8f-e65d-4299-a87a-0f9102a88ad3',
  },
} as const;

const PASSWORD = 'Sandbox-Passw0rd!';
const T = IDS.tenants;
const U = IDS.users;
const S = IDS.subscriptions;
const G = IDS.groups;
const noPolicy = { blockSubscriptionsLeavingTenant: false, blockSubscriptionsIntoTenant: false };

/**
 * The issuer host of the sandbox's tokens on its default interface (src/sandbox/tokens.ts: the
 * issuer is `https://{host}/login/{tenant}/v2.0`, without the port, which changes at each start).
 */
export const SANDBOX_ISSUER_HOST = 'https://127.0.0.1';

/** The path of tenantlink's sign-in redirect endpoint (src/bot/signInCallback.ts). */
const CALLBACK_PATH = '/auth/azure/callback';

/** The default seed: the seeds' cast plus the negative cases. */
export const DEFAULT_SEED: Seed = {
  applications: [
    {
      appId: IDS.applications.local,
      displayName: 'tenantlink (local mode)',
      // The bot listens on loopback (HOST, 127.0.0.1 by default) at a port known only once it
      // listens: a loopback redirect URI matches on any port.
      redirectUris: [`http://127.0.0.1${CALLBACK_PATH}`, `http://localhost${CALLBACK_PATH}`],
      isFallbackPublicClient: false,
    },
    {
      appId: IDS.applications.signInCard,
      displayName: 'tenantlink sandbox sign-in card',
      redirectUris: [],
      isFallbackPublicClient: true,
    },
    {
      appId: IDS.applications.federated,
      displayName: 'tenantlink (local mode, federated credential)',
      redirectUris: [`http://127.0.0.1${CALLBACK_PATH}`, `http://localhost${CALLBACK_PATH}`],
      isFallbackPublicClient: false,
      hasClientSecret: false,
      federatedIdentityCredentials: [
        {
          name: 'tenantlink-bot-identity',
          issuer: `${SANDBOX_ISSUER_HOST}/login/${T.contoso}/v2.0`,
          subject: IDS.managedIdentities.bot.principalId,
          audiences: ['api://AzureADTokenExchange'],
        },
      ],
    },
    {
      appId: IDS.applications.test,
      displayName: 'tenantlink tests',
      redirectUris: [
        `https://tenantlink.example${CALLBACK_PATH}`,
        `http://127.0.0.1${CALLBACK_PATH}`,
      ],
      isFallbackPublicClient: false,
    },
  ],
  managedIdentities: [
    {
      clientId: IDS.managedIdentities.bot.clientId,
      principalId: IDS.managedIdentities.bot.principalId,
      tenantId: T.contoso,
      displayName: 'tenantlink bot identity',
    },
  ],
  accounts: [
    // Contoso's Office 365 accounts (work accounts).
    {
      accountId: 'kelley-work',
      signInName: 'admin@contoso.onmicrosoft.com',
      password: PASSWORD,
      kind: 'work',
      homeTenantId: T.contoso,
      displayName: 'Kelley Wall',
    },
    {
      accountId: 'jane-work',
      signInName: 'jane@contoso.onmicrosoft.com',
      password: PASSWORD,
      kind: 'work',
      homeTenantId: T.contoso,
      displayName: 'Jane Doe',
    },
    {
      accountId: 'tricia-work',
      signInName: 'tricia@contoso.onmicrosoft.com',
      password: PASSWORD,
      kind: 'work',
      homeTenantId: T.contoso,
      displayName: 'Tricia Hall',
    },
    {
      accountId: 'megan-work',
      signInName: 'megan@contoso.onmicrosoft.com',
      password: PASSWORD,
      kind: 'work',
      homeTenantId: T.contoso,
      displayName: 'Megan Bowen',
    },
    {
      accountId: 'lidia-work',
      signInName: 'lidia@contoso.onmicrosoft.com',
      password: PASSWORD,
      kind: 'work',
      homeTenantId: T.contoso,
      displayName: 'Lidia Holloway',
    },
    {
      accountId: 'nestor-work',
      signInName: 'nestor@contoso.onmicrosoft.com',
      password: PASSWORD,
      kind: 'work',
      homeTenantId: T.contoso,
      displayName: 'Nestor Wilke',
    },
    // Happy path: Kelley's Microsoft account, administrator of her Pay-As-You-Go subscription.
    {
      accountId: 'kelley-msa',
      signInName: 'kelley.wall@outlook.com',
      password: PASSWORD,
      kind: 'msa',
      homeTenantId: CONSUMER_TENANT_ID,
      displayName: 'Kelley Wall (personal)',
    },
    {
      accountId: 'sam-msa',
      signInName: 'sam.dev@outlook.com',
      password: PASSWORD,
      kind: 'msa',
      homeTenantId: CONSUMER_TENANT_ID,
      displayName: 'Sam Developer',
    },
    // R1 fails: only Reader on the subscription.
    {
      accountId: 'reader-msa',
      signInName: 'reader.only@outlook.com',
      password: PASSWORD,
      kind: 'msa',
      homeTenantId: CONSUMER_TENANT_ID,
      displayName: 'Robin Reader',
    },
    // R4 fails: a Contoso global admin's alternate email (Megan's otherMails).
    {
      accountId: 'megan-msa',
      signInName: 'megan.bowen@outlook.com',
      password: PASSWORD,
      kind: 'msa',
      homeTenantId: CONSUMER_TENANT_ID,
      displayName: 'Megan Bowen (personal)',
    },
    // R5 fails: lee@fabrikam.com is both a Microsoft account and a Fabrikam work account.
    {
      accountId: 'lee-msa',
      signInName: 'lee@fabrikam.com',
      password: 'Sandbox-Msa-Passw0rd!',
      kind: 'msa',
      homeTenantId: CONSUMER_TENANT_ID,
      displayName: 'Lee Gu (Microsoft account)',
    },
    {
      accountId: 'lee-work',
      signInName: 'lee@fabrikam.com',
      password: PASSWORD,
      kind: 'work',
      homeTenantId: T.fabrikam,
      displayName: 'Lee Gu',
    },
  ],
  tenants: [
    {
      id: T.contoso,
      displayName: 'Contoso',
      domains: ['contoso.onmicrosoft.com'],
      hasOffice365: true,
      users: [
        {
          id: U.kelleyContoso,
          accountId: 'kelley-work',
          displayName: 'Kelley Wall',
          givenName: 'Kelley',
          surname: 'Wall',
          userPrincipalName: 'admin@contoso.onmicrosoft.com',
          mail: 'admin@contoso.onmicrosoft.com',
          otherMails: [],
          userType: 'Member',
          jobTitle: 'IT Administrator',
        },
        {
          id: U.janeContoso,
          accountId: 'jane-work',
          displayName: 'Jane Doe',
          givenName: 'Jane',
          surname: 'Doe',
          userPrincipalName: 'jane@contoso.onmicrosoft.com',
          mail: 'jane@contoso.onmicrosoft.com',
          otherMails: [],
          userType: 'Member',
          jobTitle: 'Developer',
        },
        {
          id: U.triciaContoso,
          accountId: 'tricia-work',
          displayName: 'Tricia Hall',
          givenName: 'Tricia',
          surname: 'Hall',
          userPrincipalName: 'tricia@contoso.onmicrosoft.com',
          mail: 'tricia@contoso.onmicrosoft.com',
          otherMails: [],
          userType: 'Member',
          jobTitle: 'Analyst',
        },
        {
          id: U.meganContoso,
          accountId: 'megan-work',
          displayName: 'Megan Bowen',
          givenName: 'Megan',
          surname: 'Bowen',
          userPrincipalName: 'megan@contoso.onmicrosoft.com',
          mail: 'megan@contoso.onmicrosoft.com',
          otherMails: ['megan.bowen@outlook.com'],
          userType: 'Member',
          jobTitle: 'Operations',
        },
        {
          id: U.lidiaContoso,
          accountId: 'lidia-work',
          displayName: 'Lidia Holloway',
          givenName: 'Lidia',
          surname: 'Holloway',
          userPrincipalName: 'lidia@contoso.onmicrosoft.com',
          mail: 'lidia@contoso.onmicrosoft.com',
          otherMails: [],
          userType: 'Member',
          jobTitle: 'Product Manager',
        },
        {
          id: U.nestorContoso,
          accountId: 'nestor-work',
          displayName: 'Nestor Wilke',
          givenName: 'Nestor',
          surname: 'Wilke',
          userPrincipalName: 'nestor@contoso.onmicrosoft.com',
          mail: 'nestor@contoso.onmicrosoft.com',
          otherMails: [],
          userType: 'Member',
          jobTitle: 'Operations Director',
        },
      ],
      principals: [
        { id: G.contosoGlobalAdmins, displayName: 'Contoso Global Admins', principalType: 'Group' },
      ],
      directoryRoles: {
        [U.kelleyContoso]: [DIRECTORY_ROLES.GlobalAdministrator],
        [U.meganContoso]: [DIRECTORY_ROLES.GlobalAdministrator],
        // Lidia is Global Administrator through this role-assignable group only.
        [G.contosoGlobalAdmins]: [DIRECTORY_ROLES.GlobalAdministrator],
      },
      groups: [
        {
          id: G.contosoGlobalAdmins,
          displayName: 'Contoso Global Admins',
          members: [U.lidiaContoso],
        },
      ],
      // Nestor may activate Global Administrator through PIM but has not.
      roleEligibilities: { [U.nestorContoso]: [DIRECTORY_ROLES.GlobalAdministrator] },
      policy: noPolicy,
    },
    {
      id: T.defaultDirectory,
      displayName: 'Default Directory',
      domains: ['kelleywalloutlook.onmicrosoft.com'],
      hasOffice365: false,
      users: [
        {
          id: U.kelleyMsaInDefault,
          accountId: 'kelley-msa',
          displayName: 'Kelley Wall',
          givenName: 'Kelley',
          surname: 'Wall',
          userPrincipalName: 'kelley.wall_outlook.com#EXT#@kelleywalloutlook.onmicrosoft.com',
          mail: 'kelley.wall@outlook.com',
          otherMails: ['kelley.wall@outlook.com'],
          userType: 'Member',
          jobTitle: null,
        },
        {
          id: U.samMsaInDefault,
          accountId: 'sam-msa',
          displayName: 'Sam Developer',
          givenName: 'Sam',
          surname: 'Developer',
          userPrincipalName: 'sam.dev_outlook.com#EXT#@kelleywalloutlook.onmicrosoft.com',
          mail: 'sam.dev@outlook.com',
          otherMails: ['sam.dev@outlook.com'],
          userType: 'Guest',
          jobTitle: null,
        },
        {
          id: U.readerMsaInDefault,
          accountId: 'reader-msa',
          displayName: 'Robin Reader',
          givenName: 'Robin',
          surname: 'Reader',
          userPrincipalName: 'reader.only_outlook.com#EXT#@kelleywalloutlook.onmicrosoft.com',
          mail: 'reader.only@outlook.com',
          otherMails: ['reader.only@outlook.com'],
          userType: 'Guest',
          jobTitle: null,
        },
      ],
      principals: [
        {
          id: IDS.principals.buildPipelineSp,
          displayName: 'build-pipeline',
          principalType: 'ServicePrincipal',
        },
      ],
      directoryRoles: {
        [U.kelleyMsaInDefault]: [DIRECTORY_ROLES.GlobalAdministrator],
        // Robin may buy Office 365 for the directory (seed 004) but is no global admin.
        [U.readerMsaInDefault]: [DIRECTORY_ROLES.BillingAdministrator],
      },
      policy: noPolicy,
    },
    {
      id: T.contosoLab,
      displayName: 'Contoso Lab',
      domains: ['contosolab.onmicrosoft.com'],
      hasOffice365: false,
      users: [
        {
          id: U.janeGuestInLab,
          accountId: 'jane-work',
          displayName: 'Jane Doe',
          givenName: 'Jane',
          surname: 'Doe',
          userPrincipalName: 'jane_contoso.onmicrosoft.com#EXT#@contosolab.onmicrosoft.com',
          mail: 'jane@contoso.onmicrosoft.com',
          otherMails: ['jane@contoso.onmicrosoft.com'],
          userType: 'Guest',
          jobTitle: null,
        },
        {
          id: U.meganMsaInLab,
          accountId: 'megan-msa',
          displayName: 'Megan Bowen',
          givenName: 'Megan',
          surname: 'Bowen',
          userPrincipalName: 'megan.bowen_outlook.com#EXT#@contosolab.onmicrosoft.com',
          mail: 'megan.bowen@outlook.com',
          otherMails: ['megan.bowen@outlook.com'],
          userType: 'Guest',
          jobTitle: null,
        },
        {
          id: U.leeMsaInLab,
          accountId: 'lee-msa',
          displayName: 'Lee Gu',
          givenName: 'Lee',
          surname: 'Gu',
          userPrincipalName: 'lee_fabrikam.com#EXT#@contosolab.onmicrosoft.com',
          mail: 'lee@fabrikam.com',
          otherMails: ['lee@fabrikam.com'],
          userType: 'Guest',
          jobTitle: null,
        },
      ],
      principals: [],
      directoryRoles: {},
      policy: noPolicy,
    },
    {
      id: T.fabrikam,
      displayName: 'Fabrikam',
      domains: ['fabrikam.onmicrosoft.com', 'fabrikam.com'],
      hasOffice365: true,
      users: [
        {
          id: U.leeFabrikam,
          accountId: 'lee-work',
          displayName: 'Lee Gu',
          givenName: 'Lee',
          surname: 'Gu',
          userPrincipalName: 'lee@fabrikam.com',
          mail: 'lee@fabrikam.com',
          otherMails: [],
          userType: 'Member',
          jobTitle: 'Director',
        },
      ],
      principals: [],
      directoryRoles: { [U.leeFabrikam]: [DIRECTORY_ROLES.GlobalAdministrator] },
      policy: noPolicy,
    },
  ],
  subscriptions: [
    {
      subscriptionId: S.payAsYouGo,
      displayName: 'Pay-As-You-Go',
      tenantId: T.defaultDirectory,
      changeTenant: 'allowed',
      roleAssignments: [
        {
          name: '8e7de7b3-4e96-41cf-8eac-3d95003e1314',
          principalId: U.kelleyMsaInDefault,
          principalType: 'User',
          roleDefinitionId: BUILT_IN_ROLES.Owner,
          scope: '',
        },
        {
          name: '7867702b-067b-45af-8ccb-9af54692da02',
          principalId: U.samMsaInDefault,
          principalType: 'User',
          roleDefinitionId: BUILT_IN_ROLES.Contributor,
          scope: '',
        },
        {
          name: 'e08cc3f5-cfdc-44aa-9305-40f7a7433503',
          principalId: IDS.principals.buildPipelineSp,
          principalType: 'ServicePrincipal',
          roleDefinitionId: BUILT_IN_ROLES.Reader,
          scope: '',
        },
        {
          name: 'b46b0468-7495-4074-b768-cc215ce011c8',
          principalId: U.samMsaInDefault,
          principalType: 'User',
          roleDefinitionId: BUILT_IN_ROLES.Reader,
          scope: '/resourceGroups/rg-web',
        },
        {
          name: 'b985e7a4-c90a-43bb-8992-a536b288e45a',
          principalId: U.readerMsaInDefault,
          principalType: 'User',
          roleDefinitionId: BUILT_IN_ROLES.Reader,
          scope: '',
        },
      ],
      // What Kelley runs in it: a web app whose VM has a system-assigned identity, a build agent's
      // user-assigned identity, a key vault, a Data Lake and a plain storage account, a network,
      // and a policy assignment. Each is something the move breaks or asks to check
      // (src/domain/inventory.ts), except the network.
      resources: [
        {
          name: 'vm-web-01',
          type: 'Microsoft.Compute/virtualMachines',
          resourceGroup: 'rg-web',
          location: 'westeurope',
          identity: { type: 'SystemAssigned' },
        },
        {
          name: 'id-build-agent',
          type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
          resourceGroup: 'rg-build',
          location: 'westeurope',
        },
        {
          name: 'kv-kelley-web',
          type: 'Microsoft.KeyVault/vaults',
          resourceGroup: 'rg-web',
          location: 'westeurope',
          properties: {
            tenantId: T.defaultDirectory,
            // Access policies name principals of the directory the vault was created in.
            accessPolicies: [
              {
                tenantId: T.defaultDirectory,
                objectId: U.kelleyMsaInDefault,
                permissions: { secrets: ['get', 'list', 'set'], keys: [], certificates: [] },
              },
              {
                tenantId: T.defaultDirectory,
                objectId: U.samMsaInDefault,
                permissions: { secrets: ['get', 'list'], keys: [], certificates: [] },
              },
            ],
          },
        },
        {
          name: 'stkelleylake',
          type: 'Microsoft.Storage/storageAccounts',
          resourceGroup: 'rg-data',
          location: 'westeurope',
          kind: 'StorageV2',
          properties: { isHnsEnabled: true },
        },
        {
          name: 'stkelleyfiles',
          type: 'Microsoft.Storage/storageAccounts',
          resourceGroup: 'rg-data',
          location: 'westeurope',
          kind: 'StorageV2',
          properties: { isHnsEnabled: false },
        },
        {
          name: 'vnet-web',
          type: 'Microsoft.Network/virtualNetworks',
          resourceGroup: 'rg-web',
          location: 'westeurope',
        },
      ],
      policies: [
        {
          name: 'allowed-locations',
          type: 'Microsoft.Authorization/policyAssignments',
          displayName: 'Allowed locations',
        },
        {
          name: 'web-baseline',
          type: 'Microsoft.Authorization/policySetDefinitions',
          displayName: 'Web baseline (custom initiative)',
        },
      ],
    },
    {
      subscriptionId: S.visualStudio,
      displayName: 'Visual Studio Enterprise',
      tenantId: T.defaultDirectory,
      changeTenant: 'blockedByPolicy',
      roleAssignments: [
        {
          name: 'baf11006-a3bb-45fe-8063-022ff44e9503',
          principalId: U.kelleyMsaInDefault,
          principalType: 'User',
          roleDefinitionId: BUILT_IN_ROLES.Owner,
          scope: '',
        },
      ],
    },
    {
      subscriptionId: S.devTest,
      displayName: 'Dev/Test',
      tenantId: T.defaultDirectory,
      changeTenant: 'apiUnavailable',
      roleAssignments: [
        {
          name: '31a24143-7308-49b3-8323-b2f48e2520fa',
          principalId: U.kelleyMsaInDefault,
          principalType: 'User',
          roleDefinitionId: BUILT_IN_ROLES.Owner,
          scope: '',
        },
      ],
    },
    {
      subscriptionId: S.lab,
      displayName: 'Lab',
      tenantId: T.contosoLab,
      changeTenant: 'allowed',
      roleAssignments: [
        {
          name: '6dba7835-86a5-41e3-bc9d-a335f812da63',
          principalId: U.janeGuestInLab,
          principalType: 'User',
          roleDefinitionId: BUILT_IN_ROLES.Owner,
          scope: '',
        },
        {
          name: '515b0a86-1caa-4ecb-8d19-c2e13cad58df',
          principalId: U.meganMsaInLab,
          principalType: 'User',
          roleDefinitionId: BUILT_IN_ROLES.Owner,
          scope: '',
        },
        {
          name: '6a3781e9-67f8-4df7-b12b-5e4b05d5824d',
          principalId: U.leeMsaInLab,
          principalType: 'User',
          roleDefinitionId: BUILT_IN_ROLES.Owner,
          scope: '',
        },
      ],
    },
  ],
};
