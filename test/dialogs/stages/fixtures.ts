import type { AzureSubscription } from '../../../src/domain/model';
import type { ChosenFlow } from '../../../src/link/stages';
import { AZURE, OFFICE365, ORG, USER } from './stageHarness';

/** A chosen flow of the stage tests: Pay-As-You-Go, from Default Directory to Contoso. */

export const SUBSCRIPTION: AzureSubscription = {
  subscriptionId: 'sub-1',
  displayName: 'Pay-As-You-Go',
  tenantId: 'default',
  state: 'Enabled',
} as AzureSubscription;

export const CHOSEN: ChosenFlow = {
  flowId: 'flow-1',
  initiatorId: USER.id,
  initiatorName: USER.name,
  office365: OFFICE365,
  org: ORG,
  azure: AZURE,
  owned: [SUBSCRIPTION],
  directoryNames: { default: 'Default Directory', contoso: 'Contoso' },
  subscription: SUBSCRIPTION,
  sourceName: 'Default Directory',
};
