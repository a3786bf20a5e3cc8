/** Name of tenantlink's tracer and meter (the OpenTelemetry instrumentation scope). */
export const INSTRUMENTATION_SCOPE = 'tenantlink';
