import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import secureJson from 'secure-json-parse';

/**
 * The door of the HTTP server: what a request must look like before a single byte of its body is
 * read, and the one body reader the server has (JSON only, identity encoding only, a hard byte
 * limit that counts what arrives on the wire, chunked bodies included). restify's own body parsers
 * are not used: its gzip reader has no error listener (a 2-byte bad gzip body killed the process),
 * its limit counted compressed bytes, and its multipart parser wrote uploads to disk before any
 * authentication (issue 20).
 */

/** Why a request was refused at the door, with the HTTP status it is answered with. */
export interface DoorRefusal {
  /**
   * 400 malformed, 401 not authenticated, 403 forbidden origin or service URL, 413 too large,
   * 415 wrong type or encoding.
   */
  readonly status: 400 | 401 | 403 | 413 | 415;
  /** A short fixed word for the log (never input). */
  readonly reason: string;
}

/** Media types a body may have (RFC 8259 JSON; the Bot Framework sends `application/json`). */
const JSON_MEDIA_TYPE = 'application/json';

/**
 * Checks the headers of a request that carries a body, before the body is read.
 * @param headers the request's headers (Node lower-cases their names)
 * @param maxBodyBytes largest body accepted, in bytes
 * @returns undefined when the body may be read, else the refusal (415 for an encoding other than
 *   identity or a media type other than JSON, 413 for a declared length over the limit)
 */
export function checkBodyHeaders(
  headers: IncomingMessage['headers'],
  maxBodyBytes: number,
): DoorRefusal | undefined {
  const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '')
    return { status: 415, reason: 'content-encoding' };
  if (mediaType(headers['content-type']) !== JSON_MEDIA_TYPE)
    return { status: 415, reason: 'content-type' };
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(headers['content-type'] ?? '')?.[1];
  if (charset && charset.toLowerCase() !== 'utf-8') return { status: 415, reason: 'charset' };
  const length = headers['content-length'];
  if (length !== undefined && Number(length) > maxBodyBytes)
    return { status: 413, reason: 'content-length' };
  return undefined;
}

/** The media type of a Content-Type header, lower-cased, without parameters ('' when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Reads a JSON body of at most `maxBodyBytes` bytes and parses it. The limit counts the bytes as
 * they arrive: reading stops at the first byte over it (a chunked or lying body cannot grow
 * memory past the limit). Keys `__proto__` and `constructor.prototype` are dropped while parsing
 * (prototype poisoning), and invalid UTF-8 is refused.
 * @param timeoutMs the whole body must arrive within this many milliseconds
 * @returns the parsed value, or the refusal: 413 over the limit, 400 for malformed JSON, invalid
 *   UTF-8, a body cut short or too slow
 */
export async function readJsonBody(
  req: IncomingMessage,
  maxBodyBytes: number,
  timeoutMs: number,
): Promise<{ readonly value: unknown } | DoorRefusal> {
  let text: string;
  const deadline = setTimeout(() => req.destroy(), timeoutMs);
  try {
    const raw = await getRawBody(req, { limit: maxBodyBytes });
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return { status: 413, reason: 'body-size' };
    return { status: 400, reason: type === undefined ? 'encoding' : 'body-read' };
  } finally {
    clearTimeout(deadline);
  }
  try {
    return { value: secureJson.parse(text, undefined, { protoAction: 'remove' }) };
  } catch {
    return { status: 400, reason: 'json' };
  }
}

/** Host names that are this machine: loopback addresses (127.0.0.0/8, ::1) and `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === '::ffff:127.0.0.1'
  );
}

/**
 * Whether a parsed JSON value nests deeper than `limit` objects or arrays (walked without
 * recursion, so a hostile body cannot overflow the stack here or in what reads it later).
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return false;
}
