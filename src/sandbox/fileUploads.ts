import { randomUUID } from 'node:crypto';
import { Router, type SandboxResponse } from './router';

/**
 * The OneDrive upload session that Teams hands a bot when the user accepts its file consent card
 * (`fileConsent/invoke`, `value.uploadInfo.uploadUrl`: "Send and receive files using bot",
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4). The bot PUTs the
 * file's bytes to that URL as to any OneDrive upload session ("Upload large files with an upload
 * session", https://learn.microsoft.com/graph/api/driveitem-createuploadsession, and the
 * uploadSession resource, https://learn.microsoft.com/graph/api/resources/uploadsession):
 *
 * - `PUT {uploadUrl}` with `Content-Length` and `Content-Range: bytes {start}-{end}/{total}`;
 *   the URL itself authorizes the upload, and a request that also carries an `Authorization`
 *   header may be refused with 401 (so the sandbox refuses it);
 * - fragments in order: a fragment that does not start at the next expected byte is answered
 *   416 Requested Range Not Satisfiable; a body whose length differs from its range, 400;
 * - a fragment that leaves bytes missing: 202 Accepted with `expirationDateTime` and
 *   `nextExpectedRanges` (`["{next}-"]`);
 * - the last byte: 201 Created with the new driveItem (`id`, `name`, `size`, `file.mimeType`);
 * - an unknown or finished session: 404 `itemNotFound`.
 *
 * Teams creates the session (the tests stand in for Teams with {@link SandboxFileUploads.createSession});
 * the sandbox serves the PUTs below `{url}/onedrive/upload/{sessionId}` and keeps the finished
 * files for the tests to read.
 */

/** What Teams puts in `uploadInfo` of an accepted file consent (the sandbox's session). */
export interface SandboxUploadInfo {
  /** The file's name in the user's OneDrive (Teams may rename on a clash). */
  readonly name: string;
  /** The upload session's URL (https). */
  readonly uploadUrl: string;
  /** Where the file will be, for the FileInfoCard. */
  readonly contentUrl: string;
  /** The driveItem's id, for the FileInfoCard. */
  readonly uniqueId: string;
  /** The extension without a dot, e.g. `csv`. */
  readonly fileType: string;
}

/** A file whose last byte arrived. */
export interface SandboxUploadedFile {
  readonly sessionId: string;
  readonly name: string;
  readonly content: Buffer;
  /** The requests it took. */
  readonly fragments: number;
  /** The `Content-Range` headers received, in order. */
  readonly contentRanges: readonly string[];
}

interface Session {
  readonly info: SandboxUploadInfo;
  readonly chunks: Buffer[];
  readonly contentRanges: string[];
  received: number;
  total: number | undefined;
}

/** How long a session lasts without a fragment, in ms (the resource's `expirationDateTime`). */
const SESSION_LIFETIME_MS = 15 * 60_000;

/** Upload sessions and the files they produced. */
export class SandboxFileUploads {
  private readonly sessions = new Map<string, Session>();
  private readonly done: SandboxUploadedFile[] = [];

  /**
   * @param url the sandbox's root URL (https), read when a session is created
   * @param now the sandbox clock (ms since the epoch)
   */
  constructor(
    private readonly url: () => string,
    private readonly now: () => number,
  ) {}

  /**
   * Creates a session for `name`, as Teams does when the user accepts a consent card.
   * @returns the `uploadInfo` Teams would send the bot
   */
  createSession(name: string): SandboxUploadInfo {
    const id = randomUUID();
    const dot = name.lastIndexOf('.');
    const info: SandboxUploadInfo = {
      name,
      uploadUrl: `${this.url()}/onedrive/upload/${id}`,
      contentUrl: `${this.url()}/onedrive/personal/Documents/Applications/tenantlink/${encodeURIComponent(name)}`,
      uniqueId: randomUUID().toUpperCase(),
      fileType: dot >= 0 ? name.slice(dot + 1) : '',
    };
    this.sessions.set(id, { info, chunks: [], contentRanges: [], received: 0, total: undefined });
    return info;
  }

  /** The files uploaded in full, oldest first. */
  uploaded(): readonly SandboxUploadedFile[] {
    return [...this.done];
  }

  /** Forgets every session and file. */
  reset(): void {
    this.sessions.clear();
    this.done.length = 0;
  }

  /** The routes below `/onedrive/upload`; the body arrives raw (a Buffer). */
  routes(): Router {
    return new Router().add('PUT', '/:sessionId', (req, params) =>
      this.put(
        params.sessionId ?? '',
        req.headers,
        Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      ),
    );
  }

  private put(
    sessionId: string,
    headers: Readonly<Record<string, string | undefined>>,
    body: Buffer,
  ): SandboxResponse {
    const session = this.sessions.get(sessionId);
    if (!session) return error(404, 'itemNotFound', 'The upload session does not exist.');
    if (headers.authorization)
      return error(401, 'unauthenticated', 'The upload URL takes no Authorization header.');
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(headers['content-range'] ?? '');
    if (!range) return error(400, 'invalidRequest', 'Content-Range bytes {start}-{end}/{total}.');
    const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (end < start || end >= total || (session.total !== undefined && total !== session.total))
      return error(400, 'invalidRange', 'The Content-Range is not a range of the file.');
    if (start !== session.received)
      return error(416, 'invalidRange', `The next expected range is ${session.received}-.`);
    if (body.length !== end - start + 1 || Number(headers['content-length']) !== body.length)
      return error(400, 'invalidRequest', 'The body length differs from Content-Range.');
    session.total = total;
    session.chunks.push(body);
    session.contentRanges.push(headers['content-range'] ?? '');
    session.received = end + 1;
    if (session.received < total)
      return {
        status: 202,
        body: {
          expirationDateTime: new Date(this.now() + SESSION_LIFETIME_MS).toISOString(),
          nextExpectedRanges: [`${session.received}-`],
        },
      };
    this.sessions.delete(sessionId);
    this.done.push({
      sessionId,
      name: session.info.name,
      content: Buffer.concat(session.chunks),
      fragments: session.chunks.length,
      contentRanges: session.contentRanges,
    });
    return {
      status: 201,
      body: {
        id: session.info.uniqueId,
        name: session.info.name,
        size: total,
        webUrl: session.info.contentUrl,
        file: {
          mimeType: session.info.fileType === 'csv' ? 'text/csv' : 'application/octet-stream',
        },
      },
    };
  }
}

function error(status: number, code: string, message: string): SandboxResponse {
  return { status, body: { error: { code, message } } };
}
