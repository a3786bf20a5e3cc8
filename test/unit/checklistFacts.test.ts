import { join } from 'node:path';
import { checklistFacts, inventoryPart } from '../../src/dialogs/inventoryCards';
import type { Inventory } from '../../src/domain/inventory';
import { Localizer } from '../../src/i18n';

/**
 * The impact card says what to do before the move; the after-move checklist must not repeat
 * "before the move…" for the kinds whose warning is about the move itself (customer-managed keys
 * in a key vault that moves, Managed HSMs): it says what is left to check now.
 */

const localizer = new Localizer(join(__dirname, '..', '..', 'locales'));
const LOCALES = ['en-US', 'zh-TW', 'sv-SE', 'nl-NL', 'fr-FR'];

const inventory: Inventory = {
  total: 3,
  groups: [
    { kind: 'customerKeyMoving', severity: 'breaks', count: 1, names: ['stdata'] },
    { kind: 'managedHsm', severity: 'check', count: 1, names: ['hsm-prod'] },
    { kind: 'diskEncryptionSet', severity: 'breaks', count: 1, names: ['des-1'] },
  ],
};

it.each(LOCALES)(
  '%s: the checklist says what is left after the move, the card what to do before',
  (locale) => {
    const t = (key: string, params?: Record<string, string | number>) =>
      localizer.t(locale, key, params);
    const facts = checklistFacts(t, inventory).map((f) => f.value);
    const before = t('inventory.action.customerKeyMoving');
    const after = t('checklist.action.customerKeyMoving');
    expect(after).not.toBe(before);
    expect(facts[0]).toContain(after);
    expect(facts[0]).not.toContain(before);
    expect(facts.join('\n')).toContain(t('checklist.action.managedHsm'));
    expect(facts.join('\n')).not.toContain(t('inventory.action.managedHsm'));
    // Kinds whose text already says "after the move" keep it.
    expect(facts.join('\n')).toContain(t('inventory.action.diskEncryptionSet'));
    // The impact card, before the move, keeps the warning.
    expect(JSON.stringify(inventoryPart(t, inventory, undefined))).toContain(
      JSON.stringify(before).slice(1, -1),
    );
  },
);
