import { connectionScopes, type ConnectionName } from '../../auth/permissions';
import { fail, pass, reasonOf, skip } from '../findings';
import { probeConnection } from '../tokenService';
import type { Check, DoctorContext, Finding } from '../types';

/**
 * The Bot Framework token service knows every configured OAuth connection (`CONNECTION_*`), and
 * each connection has the scopes the permission map needs (src/auth/permissions.ts
 * `connectionScopes`). Existence is asked of the token service through the bot's own client
 * (src/doctor/tokenService.ts); the scopes are read from the connection's settings
 * (src/doctor/connectionSettings.ts: ARM with the operator's credential, or the sandbox), because
 * the token service's API does not reveal them. A connection ARM does not have (404) is unknown
 * even when the token service could not be asked (a managed identity off Azure).
 */

/** The environment variable that names each connection (src/config.ts). */
const VARIABLES: Readonly<Record<ConnectionName, string>> = {
  graph: 'CONNECTION_GRAPH',
  azureTarget: 'CONNECTION_AZURE_TARGET',
  azureSource: 'CONNECTION_AZURE_SOURCE',
  azureSourceGraph: 'CONNECTION_AZURE_SOURCE_GRAPH',
};

/** A scope as compared: lower case, Graph's resource prefix dropped (Graph is the default). */
function normalize(scope: string): string {
  return scope.toLowerCase().replace(/^https:\/\/graph\.microsoft\.com\//, '');
}

/** The scopes of `required` that `configured` (space or comma separated) lacks. */
export function missingScopes(required: string, configured: string): string[] {
  const have = new Set(
    configured
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(normalize),
  );
  return required.split(/\s+/).filter((s) => s && !have.has(normalize(s)));
}

/** One finding per connection (see above); all skipped in local mode without a reachable sandbox. */
export const connectionsCheck: Check = async (ctx) => {
  if (ctx.config.mode === 'local' && !ctx.sandbox)
    return [skip('connections', ctx.t('doctor.skip.noSandbox'))];
  const findings: Finding[] = [];
  const identityFailed = ctx.earlier.some((f) => f.check === 'identity' && f.status === 'fail');
  const client = identityFailed ? undefined : ctx.userTokenClient;
  for (const key of Object.keys(VARIABLES) as ConnectionName[]) {
    findings.push(await checkConnection(ctx, key, client && (await client())));
  }
  return findings;
};

async function checkConnection(
  ctx: DoctorContext,
  key: ConnectionName,
  client: Awaited<ReturnType<NonNullable<DoctorContext['userTokenClient']>>> | undefined,
): Promise<Finding> {
  const { t } = ctx;
  const name = ctx.config.connections[key];
  const variable = VARIABLES[key];
  const scopes = connectionScopes(key);
  const probe = client ? await probeConnection(client, name) : undefined;
  let settings: { scopes: string } | undefined | 'none' = 'none';
  let settingsProblem = '';
  if (ctx.connectionSettings) {
    try {
      settings = await ctx.connectionSettings.get(name);
    } catch (err) {
      settingsProblem = reasonOf(err);
    }
  }
  if (probe?.kind === 'unknown' || settings === undefined)
    return fail(
      'connections',
      'doctorConnectionUnknown',
      t('doctor.fail.connectionUnknown', { name, variable }),
      unknownFix(ctx, name, variable, scopes),
    );
  if (probe?.kind === 'error' && settings === 'none')
    return fail(
      'connections',
      'doctorCheckFailed',
      t('doctor.fail.checkFailed', { check: name, reason: probe.reason }),
      t('doctor.fix.checkFailed'),
    );
  if (settings === 'none')
    return skip(
      'connections',
      t('doctor.skip.connectionScopes', {
        name,
        reason: settingsProblem || t('doctor.reason.noOperator'),
      }),
    );
  const missing = missingScopes(scopes, settings.scopes);
  if (missing.length > 0)
    return fail(
      'connections',
      'doctorScopeMissing',
      t('doctor.fail.scopeMissing', { name, missing: missing.join(' ') }),
      ctx.config.mode === 'local'
        ? t('doctor.fix.scopeMissingLocal', { url: ctx.sandbox?.url ?? '', name, scopes })
        : t('doctor.fix.scopeMissing', { bot: ctx.deployment.botName || '<bot>', name, scopes }),
    );
  return pass('connections', t('doctor.pass.connection', { name, key }));
}

function unknownFix(ctx: DoctorContext, name: string, variable: string, scopes: string): string {
  const { t } = ctx;
  return ctx.config.mode === 'local'
    ? t('doctor.fix.connectionUnknownLocal', {
        url: ctx.sandbox?.url ?? '',
        name,
        scopes,
        variable,
      })
    : t('doctor.fix.connectionUnknown', {
        bot: ctx.deployment.botName || '<bot>',
        name,
        scopes,
        variable,
      });
}
