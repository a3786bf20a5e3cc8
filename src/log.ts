import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured logging for every module: one pino root logger, one named child per module
 * (`createLogger('graph')`). Tokens and secrets are redacted before a line is written:
 * Authorization headers, `access_token`/`refresh_token`/`id_token`/`client_secret`/
 * `client_assertion`/`password` fields, the `X-IDENTITY-HEADER` of a managed identity request, and any `Bearer …` or JWT-shaped substring inside any string value of a log object.
 */
export type { Logger } from 'pino';

/** Paths pino censors wherever they appear (one level of nesting, plus headers). */
const REDACT_PATHS = [
  'authorization',
  'Authorization',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'id_token',
  '*.id_token',
  'client_secret',
  '*.client_secret',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'clientSecret',
  '*.clientSecret',
  // A client assertion (the managed identity's token) and App Service's identity header.
  'client_assertion',
  '*.client_assertion',
  'clientAssertion',
  '*.clientAssertion',
  'headers["x-identity-header"]',
  '*.headers["x-identity-header"]',
];

const BEARER = /Bearer\s+[A-Za-z0-9\-_.~+/=]+/g;
const JWT = /eyJ[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*/g;
/** A storage account key or shared access signature inside a connection string or URL. */
const ACCOUNT_KEY = /((?:AccountKey|SharedAccessSignature|sig)=)[^;&\s"]+/gi;

/**
 * Replaces bearer tokens and JWT-shaped substrings of a string with `[REDACTED]`.
 * @param text any text (an error message, a URL, a response body excerpt)
 * @returns the same text with secrets removed
 */
export function redactString(text: string): string {
  return text
    .replace(BEARER, 'Bearer [REDACTED]')
    .replace(JWT, '[REDACTED]')
    .replace(ACCOUNT_KEY, '$1[REDACTED]');
}

/** Redacts every string inside a log object (nested up to 8 levels); other values unchanged. */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (depth > 8 || value === null || typeof value !== 'object' || value instanceof Error)
    return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

let root: Logger | undefined;
/** Where the root logger writes (kept for {@link writeAfterLogs}). */
let destination: DestinationStream | undefined;

/**
 * Configures the root logger once, from the composition root. Later calls replace it.
 * @param options level (pino level name) and an optional destination stream (tests capture logs)
 */
export function configureLogging(options: {
  level: string;
  destination?: DestinationStream;
}): Logger {
  root = pino(
    {
      level: options.level,
      // Correlated with the trace: the active span's ids on every line (OpenTelemetry's log
      // correlation fields, https://opentelemetry.io/docs/specs/otel/compatibility/logging_trace_context/).
      mixin: traceFields,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: {
        level: (label) => ({ level: label }),
        // Any field may quote a token (a response body, a URL): scrub every string value.
        log: (object) => scrub(object) as Record<string, unknown>,
      },
      hooks: {
        // Strings in the message and in `err.message` may quote a header or a token: scrub them.
        logMethod(args, method) {
          const scrubbed = args.map((a: unknown) => (typeof a === 'string' ? redactString(a) : a));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (err: unknown) => {
          const s = pino.stdSerializers.err(err as Error);
          return {
            ...s,
            message: redactString(String(s.message ?? '')),
            stack: redactString(String(s.stack ?? '')),
          };
        },
      },
    },
    (destination = options.destination ?? pino.destination({ sync: false })),
  );
  return root;
}

/**
 * Writes plain text (the start banner) through the logs' own destination, after every line logged
 * so far: the default destination is asynchronous, and text written to stdout beside it would
 * land in the middle of the start-up lines. Before logging is configured, writes to stdout.
 */
export function writeAfterLogs(text: string): void {
  if (destination) destination.write(text);
  else process.stdout.write(text);
}

/** `trace_id` and `span_id` of the active span (sampled or not), or nothing without one. */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * Returns a named logger for one module (`{ module: name }` on every line). It writes through the
 * root logger current at each call, so a logger created when a module loads (before the
 * composition root configured logging) still follows LOG_LEVEL and the destination set later;
 * before any configuration the root is silent.
 * @param name module name, e.g. `graph`, `arm`, `sandbox`, `link-dialog`
 */
export function createLogger(name: string): Logger {
  const children = new WeakMap<Logger, Logger>();
  const current = (): Logger => {
    root ??= pino({ level: 'silent' });
    let child = children.get(root);
    if (!child) {
      child = root.child({ module: name });
      children.set(root, child);
    }
    return child;
  };
  return new Proxy({} as Logger, {
    get(_target, property) {
      const child = current();
      const value: unknown = Reflect.get(child, property, child);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(child)
        : value;
    },
  });
}
