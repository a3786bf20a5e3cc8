import type { SignedInAccount } from '../../../src/auth/signIn';
import type { Office365DirectoryPort } from '../../../src/domain/ports';
import { SignInAzureDialog } from '../../../src/dialogs/link/signInAzureDialog';
import {
  SignInOffice365Dialog,
  type LinkOptions,
} from '../../../src/dialogs/link/signInOffice365Dialog';
import type { SignedInFlow } from '../../../src/link/stages';
import { VERB } from '../../../src/dialogs/verbs';
import { AZURE, FakeSignIn, OFFICE365, ORG, StageHarness, USER, basePorts } from './stageHarness';

/**
 * The two sign-in stages (seed step 1) on fake ports: what each ends with for each way its
 * sign-in dialog and its card can end.
 */

const SIGN_IN = 'fakeSignIn';

/** The Office 365 stage, its sign-in ending with `account`. */
function office365Stage(
  account: SignedInAccount | undefined,
  welcomeNote?: (locale: string | undefined) => string,
) {
  const ports = basePorts();
  const directory = { organization: async () => ORG } as Partial<Office365DirectoryPort>;
  const stage = new SignInOffice365Dialog({
    ...ports,
    procedure: { ...ports.procedure, directory: () => directory as Office365DirectoryPort },
    signInDialogId: SIGN_IN,
    ...(welcomeNote === undefined ? {} : { welcomeNote }),
  });
  const h = new StageHarness<LinkOptions>(stage, undefined, [new FakeSignIn(SIGN_IN, account)]);
  return { h, ports };
}

describe('sign in to Office 365', () => {
  it.each<[string, ((locale: string | undefined) => string) | undefined, RegExp]>([
    [
      'with the note its wiring gives',
      (locale) => `note (${locale ?? 'default locale'})`,
      /note \(default locale\)/,
    ],
    ["with the link's note by default", undefined, /Classic administrators were retired/],
  ])('welcomes %s on the start card', async (_name, welcomeNote, note) => {
    const { h } = office365Stage(OFFICE365, welcomeNote);
    await h.begin({});
    expect(JSON.stringify(h.lastCard())).toMatch(note);
    expect(h.ended).toBeUndefined();
  });

  it.each<[string, string, SignedInAccount | undefined, unknown]>([
    [
      'ends with the admin and the organization',
      VERB.start,
      OFFICE365,
      { next: expect.objectContaining({ office365: OFFICE365, org: ORG, initiatorId: USER.id }) },
    ],
    [
      'ends cancelled when the sign-in is cancelled',
      VERB.start,
      undefined,
      { ended: expect.objectContaining({ outcome: 'cancelled' }) },
    ],
    [
      'ends cancelled on the card Cancel',
      VERB.cancel,
      OFFICE365,
      { ended: expect.objectContaining({ outcome: 'cancelled' }) },
    ],
  ])('%s', async (_name, verb, account, ended) => {
    const { h, ports } = office365Stage(account);
    await h.begin({});
    await h.click(verb);
    expect(h.ended).toEqual(ended);
    if ('ended' in (h.ended as object)) expect(ports.statuses).toEqual(['cancelled']);
  });
});

describe('sign in to Azure', () => {
  const flow: SignedInFlow = {
    flowId: 'flow-1',
    initiatorId: USER.id,
    initiatorName: USER.name,
    office365: OFFICE365,
    org: ORG,
  };

  it.each<[string, SignedInAccount | undefined, unknown]>([
    ['ends with both accounts', AZURE, { next: { ...flow, azure: AZURE } }],
    ['ends cancelled', undefined, { ended: { outcome: 'cancelled', flowId: 'flow-1' } }],
  ])('%s', async (_name, account, ended) => {
    const stage = new SignInAzureDialog({ ...basePorts(), signInDialogId: SIGN_IN });
    const h = new StageHarness<SignedInFlow>(stage, undefined, [new FakeSignIn(SIGN_IN, account)]);
    await h.begin(flow);
    expect(h.ended).toEqual(ended);
  });
});
