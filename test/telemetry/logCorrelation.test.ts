import { Writable } from 'node:stream';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { configureLogging, createLogger } from '../../src/log';
import { registerProviders, type RegisteredProviders } from '../../src/telemetry';
import { inLinkStep } from '../../src/telemetry/linkTrace';

/** Log lines written in a span carry its trace and span ids (issue 26: logs correlated to traces). */

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
    done();
  },
});
const spans = new InMemorySpanExporter();
let providers: RegisteredProviders;

beforeAll(() => {
  providers = registerProviders([new SimpleSpanProcessor(spans)], []);
  configureLogging({ level: 'info', destination: sink });
});
afterAll(async () => providers.shutdown());

it('puts trace_id and span_id on a line logged in a step, and none outside', async () => {
  const log = createLogger('correlation-test');
  await inLinkStep({ flowId: '5f0c3c8e-0b7e-4f4e-9d5a-3c2b1a0f9e8d' }, 'preflight', async () => {
    log.info('inside');
  });
  log.info('outside');
  const [span] = spans.getFinishedSpans();
  const inside = lines.find((l) => l.msg === 'inside');
  const outside = lines.find((l) => l.msg === 'outside');
  expect(inside).toMatchObject({
    trace_id: span!.spanContext().traceId,
    span_id: span!.spanContext().spanId,
  });
  expect(outside).toBeDefined();
  expect(outside).not.toHaveProperty('trace_id');
});
