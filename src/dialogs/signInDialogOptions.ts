/**
 * Options of a sign-in dialog (the OAuth prompt of cloud mode, the sandbox card of local mode):
 * the flow it serves and who started it (only they may answer).
 */
export interface SignInDialogOptions {
  readonly flowId: string;
  readonly initiatorId: string;
  readonly initiatorName: string;
}
