import {
  KIND_GUIDE,
  ROTATE_CREDENTIALS_GUIDE,
  groupsOf,
  type Inventory,
  type InventoryGroup,
} from '../domain/inventory';
import type { Fact } from '../cards/render';
import { plainText } from '../i18n/markdown';

/**
 * The inventory on the impact card (what else the move breaks, src/domain/inventory.ts): one line
 * per kind of resource with its count, its first names and what to do, and an acknowledgement
 * toggle per kind that breaks; lines to check; and the lines of the card that stops a link when
 * a resource cannot change directory. Resource names come from ARM and are shown as text.
 */

/** A translator in the turn's locale. */
type T = (key: string, params?: Record<string, string | number>) => string;

/** One kind that breaks: its line and its acknowledgement toggle (`ack_<kind>`). */
export interface InventoryBreakLine {
  readonly ackId: string;
  readonly text: string;
  readonly ackLabel: string;
}

/** The inventory's part of the impact card's data (cards/impact.json). */
export interface InventoryCardPart {
  /** Heading ('' hides the section). */
  readonly inventoryTitle: string;
  readonly inventoryBreaks: InventoryBreakLine[];
  readonly inventoryChecks: string[];
  /** Shown above the toggles when the card came back for a missing acknowledgement. */
  readonly ackError: string;
}

/** The toggle id of the inventory that could not be read ("I checked the resources myself"). */
export const ACK_UNREAD = 'ack_inventory';

/**
 * Kinds whose "what to do" is said before the move ("use a different key vault first"): after the
 * move the checklist says what is left to do instead.
 */
const AFTER_MOVE_ACTION: Partial<Record<InventoryGroup['kind'], string>> = {
  customerKeyMoving: 'checklist.action.customerKeyMoving',
  managedHsm: 'checklist.action.managedHsm',
};

/**
 * One group as a line: kind, count, first names (and how many more), what to do (before the move,
 * or after it for the checklist).
 */
function groupLine(t: T, g: InventoryGroup, afterMove = false): string {
  const more = g.count - g.names.length;
  const names =
    g.names.map(plainText).join(', ') +
    (more > 0 ? ` ${t('inventory.andMore', { count: more })}` : '');
  return t('inventory.group', {
    kind: t(`inventory.kind.${g.kind}`),
    count: g.count,
    names,
    action: t((afterMove && AFTER_MOVE_ACTION[g.kind]) || `inventory.action.${g.kind}`),
  });
}

/**
 * The inventory's part of the impact card.
 * @param inventory the inventory, or undefined when it could not be read
 * @param errorCode the error's code when it could not be read
 */
export function inventoryPart(
  t: T,
  inventory: Inventory | undefined,
  errorCode: string | undefined,
  ackError = '',
): InventoryCardPart {
  const ackLabel = t('inventory.ack');
  if (!inventory)
    return {
      inventoryTitle: t('inventory.unavailable', { code: errorCode ?? '' }),
      inventoryBreaks: [{ ackId: ACK_UNREAD, text: t('inventory.checkYourself'), ackLabel }],
      inventoryChecks: [],
      ackError,
    };
  const breaks = groupsOf(inventory, 'breaks');
  const checks = groupsOf(inventory, 'check');
  return {
    inventoryTitle: t(breaks.length + checks.length > 0 ? 'inventory.title' : 'inventory.none', {
      count: inventory.total,
    }),
    inventoryBreaks: breaks.map((g) => ({
      ackId: `ack_${g.kind}`,
      text: groupLine(t, g),
      ackLabel,
    })),
    inventoryChecks: checks.map((g) => groupLine(t, g)),
    ackError,
  };
}

/** The acknowledgements the impact card asks for (its toggles' ids). */
export function ackIds(part: InventoryCardPart): string[] {
  return part.inventoryBreaks.map((b) => b.ackId);
}

/** The lines of the resources that stop the link (each kind, its names, what to do instead). */
export function blockerLines(t: T, inventory: Inventory): string[] {
  return groupsOf(inventory, 'blocks').map((g) => groupLine(t, g));
}

/**
 * The after-move checklist: one fact per kind that breaks or needs a check (its resources, what to
 * do and Microsoft's page on how), then the credentials to rotate. Empty when nothing is left to do.
 */
export function checklistFacts(t: T, inventory: Inventory): Fact[] {
  const todo = [...groupsOf(inventory, 'breaks'), ...groupsOf(inventory, 'check')];
  if (todo.length === 0) return [];
  return [
    ...todo.map((g, i) => ({
      title: `${i + 1}.`,
      value: `${groupLine(t, g, true)} ${t('checklist.how', { url: KIND_GUIDE[g.kind] })}`,
    })),
    {
      title: `${todo.length + 1}.`,
      value: t('checklist.rotate', { url: ROTATE_CREDENTIALS_GUIDE }),
    },
  ];
}
