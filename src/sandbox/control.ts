import { ZodError } from 'zod';
import type { SandboxContext } from './context';
import { Router } from './router';

/**
 * The sandbox's own control API below `/_sandbox`, for tests, diagnostics and the local sign-in
 * card. Loopback only, like the whole sandbox; it never returns tokens.
 * - `GET /state`: the JSON snapshot of the world ({@link SandboxState.snapshot});
 * - `GET /accounts`: the sign-in identities with their (sandbox-only) passwords and the directories
 *   each belongs to, so the local sign-in card can offer them;
 * - `GET|POST|DELETE /faults`: read, set ({@link faultsSchema}) or clear injected faults;
 * - `POST /reset`: back to the seed, faults cleared.
 */
export function controlRoutes(ctx: SandboxContext): Router {
  return new Router()
    .add('GET', '/state', () => ({ status: 200, body: ctx.state.snapshot() }))
    .add('GET', '/accounts', () => ({
      status: 200,
      body: ctx.state.accounts.map((a) => ({
        accountId: a.accountId,
        signInName: a.signInName,
        password: a.password,
        kind: a.kind,
        displayName: a.displayName,
        directories: ctx.state.directoriesOf(a).map((t) => ({
          tenantId: t.id,
          displayName: t.displayName,
          userId: ctx.state.userOfAccount(t, a.accountId)?.id ?? '',
        })),
      })),
    }))
    .add('GET', '/faults', () => ({ status: 200, body: { injected: ctx.faults.injected } }))
    .add('POST', '/faults', (req) => {
      try {
        return { status: 200, body: ctx.faults.set(req.body ?? {}) };
      } catch (err) {
        if (err instanceof ZodError)
          return { status: 400, body: { error: { code: 'InvalidFaults', message: err.message } } };
        throw err;
      }
    })
    .add('DELETE', '/faults', () => {
      ctx.faults.clear();
      return { status: 204 };
    })
    .add('POST', '/reset', () => {
      ctx.state.reset();
      ctx.faults.clear();
      return { status: 204 };
    });
}
