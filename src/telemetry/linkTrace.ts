import { createHash } from 'node:crypto';
import {
  context,
  metrics,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
} from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPE } from './scope';

/**
 * One trace per link. A link runs over many turns, instances and background jobs, so its trace is
 * derived from its flow id (a random UUID, src/dialogs/link/linkDialog.ts): the trace id and the parent
 * span id are the first 16 and next 8 bytes of SHA-256("tenantlink-link:" + flow id), a remote
 * parent in W3C Trace Context terms (https://www.w3.org/TR/trace-context/#trace-id). Every step
 * and job of the link is a span under it, on any instance and after any restart, with nothing to
 * store; Application Insights groups them as one operation (operation_Id = trace id).
 *
 * Attributes carry no personal data: the flow id, the step's name, the dry-run flag, outcomes and
 * TL- codes; never a tenant or user name, an email, a subscription name or a token.
 */

/** Span and metric attribute names (tenantlink's own namespace). */
export const ATTR = {
  flowId: 'tenantlink.flow_id',
  step: 'tenantlink.step',
  dryRun: 'tenantlink.dry_run',
  outcome: 'tenantlink.outcome',
  errorCode: 'error.type',
} as const;

/**
 * The trace context of a link: a sampled remote parent derived from the flow id (see above).
 * @param flowId the link's flow id (UUID)
 */
export function linkContext(flowId: string): Context {
  const digest = createHash('sha256').update(`tenantlink-link:${flowId}`).digest('hex');
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: digest.slice(0, 32),
    spanId: digest.slice(32, 48),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/** What the telemetry reads of a link: its flow id and the link's {@link LinkTraceTags}. */
export interface LinkTraceState extends LinkTraceTags {
  readonly flowId: string;
}

/**
 * What the telemetry tells of a link beside its flow id, the same for every flow of one wiring of
 * the link (the composition root, src/bot/compose.ts, gives them to its stages).
 */
export interface LinkTraceTags {
  /** The link runs on recording ports (src/link/dryRun.ts): attribute `tenantlink.dry_run`. */
  readonly dryRun?: boolean;
}

/**
 * Runs one step (or background job) of a link in its own span, child of the link's trace; the
 * Graph and ARM calls it makes become the span's children. Records the step's duration (ms) in
 * the histogram `tenantlink.link.step.duration`. An exception marks the span as an error (with
 * the TL- code when it has one) and is rethrown.
 * @param link the link's flow id and dry-run flag
 * @param step the step's name, e.g. `preflight`, `job.move`
 */
export async function inLinkStep<T>(
  link: LinkTraceState,
  step: string,
  fn: () => Promise<T>,
): Promise<T> {
  const { flowId } = link;
  const dryRun = link.dryRun === true;
  const tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  const attributes = { [ATTR.flowId]: flowId, [ATTR.step]: step, [ATTR.dryRun]: dryRun };
  const span = tracer.startSpan(`link ${step}`, { attributes }, linkContext(flowId));
  const started = performance.now();
  try {
    return await context.with(trace.setSpan(context.active(), span), fn);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    span.setStatus({ code: SpanStatusCode.ERROR });
    if (typeof code === 'string') span.setAttribute(ATTR.errorCode, code);
    throw err;
  } finally {
    span.end();
    metrics
      .getMeter(INSTRUMENTATION_SCOPE)
      .createHistogram('tenantlink.link.step.duration', {
        description: 'Duration of one step or background job of a link',
        unit: 'ms',
      })
      .record(performance.now() - started, { [ATTR.step]: step });
  }
}

/** Counts a link that started (`tenantlink.links.started`). */
export function linkStarted(link: LinkTraceState): void {
  metrics
    .getMeter(INSTRUMENTATION_SCOPE)
    .createCounter('tenantlink.links.started', { description: 'Links started' })
    .add(1, { [ATTR.dryRun]: link.dryRun === true });
}

/**
 * Counts a link that ended (`tenantlink.links.ended`, by outcome: `linked`, `failed`,
 * `cancelled`, `preflightFailed`, …) and marks the current step's span with the outcome.
 */
export function linkEnded(outcome: string): void {
  trace.getActiveSpan()?.setAttribute(ATTR.outcome, outcome);
  metrics
    .getMeter(INSTRUMENTATION_SCOPE)
    .createCounter('tenantlink.links.ended', { description: 'Links ended, by outcome' })
    .add(1, { [ATTR.outcome]: outcome });
}

/**
 * Counts a link that failed (`tenantlink.links.failed`, by TL- code) and marks the current
 * step's span with the code.
 * @param code the failure's stable code, e.g. `TL-CLOUD-THROTTLED`
 */
export function linkFailed(code: string): void {
  trace.getActiveSpan()?.setAttribute(ATTR.errorCode, code);
  metrics
    .getMeter(INSTRUMENTATION_SCOPE)
    .createCounter('tenantlink.links.failed', { description: 'Links failed, by TL- code' })
    .add(1, { [ATTR.errorCode]: code });
}
