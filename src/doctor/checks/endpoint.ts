import { request } from 'undici';
import { fail, pass, reasonOf, skip } from '../findings';
import type { Check } from '../types';

/**
 * The messaging endpoint is this bot. In cloud mode the public endpoint (`MESSAGING_ENDPOINT`,
 * else `https://{BOT_DOMAIN}/api/messages`) must refuse a POST without a token with 401, as a bot
 * must ("Your bot must verify … the Authorization header", "Authenticate requests from the Bot
 * Connector service to your bot",
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication#connector-to-bot),
 * and with tenantlink's own fixed body `{ error: { code: 'TL-REQUEST-UNAUTHORIZED' } }`
 * (src/bot/server.ts): another app, a proxy's page or a stopped site answer otherwise. Local mode
 * checks no token (src/bot/adapter.ts); there the local server must answer an empty activity with
 * its fixed 400 `TL-REQUEST-INVALID`.
 */
export const endpointCheck: Check = async (ctx) => {
  const { t } = ctx;
  const local = ctx.config.mode === 'local';
  const url = local
    ? ctx.botUrl && `${ctx.botUrl}/api/messages`
    : ctx.deployment.messagingEndpoint || (ctx.botUrl && `${ctx.botUrl}/api/messages`);
  if (!url) return [skip('endpoint', t('doctor.skip.endpoint'))];
  const expected = local ? 400 : 401;
  const expectedCode = local ? 'TL-REQUEST-INVALID' : 'TL-REQUEST-UNAUTHORIZED';
  let status: number;
  let code = '';
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      headersTimeout: ctx.http.timeoutMs,
      bodyTimeout: ctx.http.timeoutMs,
    });
    status = res.statusCode;
    const text = await res.body.text();
    try {
      code = String((JSON.parse(text) as { error?: { code?: unknown } }).error?.code ?? '');
    } catch {
      code = '';
    }
  } catch (err) {
    return [endpointFailure(ctx, url, reasonOf(err))];
  }
  if (status === expected && code === expectedCode)
    return [pass('endpoint', t('doctor.pass.endpoint', { url, status }))];
  return [endpointFailure(ctx, url, `HTTP ${status} ${code}`.trim())];
};

function endpointFailure(
  ctx: Parameters<Check>[0],
  url: string,
  answer: string,
): ReturnType<typeof fail> {
  const { t } = ctx;
  return ctx.config.mode === 'local'
    ? fail(
        'endpoint',
        'doctorEndpoint',
        t('doctor.fail.endpoint', { url, answer }),
        t('doctor.fix.endpointLocal'),
      )
    : fail(
        'endpoint',
        'doctorEndpoint',
        t('doctor.fail.endpoint', { url, answer }),
        t('doctor.fix.endpoint', { url, bot: ctx.deployment.botName || '<bot>' }),
      );
}
