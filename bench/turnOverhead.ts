import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import * as restify from 'restify';
import { startSinkConnector, startRig, type BenchRow } from './common';

/**
 * Benchmark 1: the cost of a text turn (`help`) through tenantlink against a bare botbuilder echo
 * bot on restify, both answering to the same sink connector, driven by autocannon in the same run.
 * Reported as ratios of latency percentiles (targets: p50 ≤ 1.3×, p99 ≤ 1.5×).
 */

/** A bare botbuilder echo bot on restify (the baseline of benchmarks 1 and 5). */
export async function startEchoBot(): Promise<{ url: string; close(): Promise<void> }> {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const bot = new ActivityHandler();
  bot.onMessage(async (context, next) => {
    await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
    await next();
  });
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser({ mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/messages`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A Teams message activity as JSON, in conversation `conversationId`. */
export function activity(serviceUrl: string, text: string, conversationId = 'a:bench'): string {
  return JSON.stringify({
    type: 'message',
    id: 'bench',
    channelId: 'msteams',
    serviceUrl,
    locale: 'en-US',
    text,
    from: { id: 'user-bench', name: 'Bench' },
    recipient: { id: '28:tenantlink-bot' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: 'bench' },
    channelData: { tenant: { id: 'bench' } },
  });
}

async function load(url: string, body: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: 50,
    duration: seconds,
  });
}

/** Runs benchmark 1 and returns its rows. */
export async function turnOverhead(seconds = 5): Promise<BenchRow[]> {
  const sink = await startSinkConnector();
  const rig = await startRig();
  const echo = await startEchoBot();
  try {
    const body = activity(sink.url, 'help');
    await load(echo.url, body, 1); // warm-up
    await load(`${rig.app.server.url}/api/messages`, body, 1);
    const e = await load(echo.url, body, seconds);
    const t = await load(`${rig.app.server.url}/api/messages`, body, seconds);
    const errors = e.errors + e.non2xx + t.errors + t.non2xx;
    return [
      {
        name: '1. echo bot p50 / p99',
        value: e.latency.p50,
        unit: 'ms',
        note: `p99 ${e.latency.p99} ms, ${Math.round(e.requests.average)} req/s`,
      },
      {
        name: '1. tenantlink p50 / p99',
        value: t.latency.p50,
        unit: 'ms',
        note: `p99 ${t.latency.p99} ms, ${Math.round(t.requests.average)} req/s`,
      },
      {
        name: '1. p50 ratio tenantlink/echo',
        value: round(t.latency.p50 / Math.max(e.latency.p50, 1)),
        unit: '×',
        target: 1.3,
      },
      {
        name: '1. p99 ratio tenantlink/echo',
        value: round(t.latency.p99 / Math.max(e.latency.p99, 1)),
        unit: '×',
        target: 1.5,
      },
      { name: '1. errors', value: errors, unit: 'count', target: 0 },
    ];
  } finally {
    await echo.close();
    await rig.stop();
    sink.server.close();
  }
}

const round = (n: number): number => Math.round(n * 100) / 100;
