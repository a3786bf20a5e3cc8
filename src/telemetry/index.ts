import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Config } from '../config';
import { createLogger } from '../log';

export { INSTRUMENTATION_SCOPE } from './scope';

/**
 * OpenTelemetry for tenantlink. The code records through `@opentelemetry/api` only (src/telemetry/
 * linkTrace.ts, cloudSpans.ts): with telemetry off nothing registers a provider and the API is
 * its no-op. `startTelemetry` registers the SDK once, from the composition root, before any
 * HTTP call: Azure Monitor (`@azure/monitor-opentelemetry`'s `useAzureMonitor`, Application
 * Insights; https://learn.microsoft.com/azure/azure-monitor/app/opentelemetry-enable?tabs=nodejs)
 * in the cloud, or the console exporters. The automatic HTTP and Azure SDK instrumentations stay
 * off: their spans carry full URLs (Graph paths hold user principal names); tenantlink's own
 * spans carry URL templates instead (cloudSpans.ts).
 */

/** What `startTelemetry` started: flushes and stops the exporters (at shutdown). */
export interface Telemetry {
  readonly mode: Config['telemetry']['mode'];
  /** Exports what is buffered and stops; never throws. */
  shutdown(): Promise<void>;
}

/**
 * Starts telemetry as configured (see the module comment).
 * @param config `TELEMETRY` and `APPLICATIONINSIGHTS_CONNECTION_STRING` (src/config.ts)
 * @returns the running telemetry (a no-op one when `off`)
 */
export async function startTelemetry(config: Config): Promise<Telemetry> {
  const { mode, connectionString } = config.telemetry;
  const log = createLogger('telemetry');
  if (mode === 'off') return { mode, shutdown: async () => undefined };
  if (mode === 'azuremonitor') {
    const monitor = await import('@azure/monitor-opentelemetry');
    monitor.useAzureMonitor({
      azureMonitorExporterOptions: { connectionString },
      instrumentationOptions: {
        http: { enabled: false },
        azureSdk: { enabled: false },
        mongoDb: { enabled: false },
        mySql: { enabled: false },
        postgreSql: { enabled: false },
        redis: { enabled: false },
        redis4: { enabled: false },
        bunyan: { enabled: false },
        winston: { enabled: false },
      },
    });
    log.info('telemetry to Azure Monitor (Application Insights)');
    return {
      mode,
      shutdown: () => monitor.shutdownAzureMonitor().catch(() => undefined),
    };
  }
  const providers = registerProviders(
    [new BatchSpanProcessor(new ConsoleSpanExporter())],
    [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter() })],
  );
  log.info('telemetry to the console');
  return { mode, shutdown: providers.shutdown };
}

/** Registered global providers of {@link registerProviders}. */
export interface RegisteredProviders {
  /** Exports what is buffered, stops the providers and unregisters them; never throws. */
  shutdown(): Promise<void>;
}

/**
 * Registers an SDK tracer provider with `spanProcessors`, a meter provider with `readers` and the
 * AsyncLocalStorage context manager (so a span follows its `await`s) as the API's globals. Used
 * by `startTelemetry` (console) and by tests (in-memory exporters).
 */
export function registerProviders(
  spanProcessors: SpanProcessor[],
  readers: MetricReader[],
): RegisteredProviders {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const tracerProvider = new BasicTracerProvider({ spanProcessors });
  trace.setGlobalTracerProvider(tracerProvider);
  const meterProvider = new MeterProvider({ readers });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    shutdown: async () => {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
      trace.disable();
      metrics.disable();
      context.disable();
    },
  };
}
