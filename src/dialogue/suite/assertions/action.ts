import { BOT_ACTIONS } from '../../../api/bot-actions.js';
import { closest } from '../../../suggest.js';
import { assertion, show } from './assertion.js';

/** The answer's Action. */
export default assertion<string>({
  schema: { enum: [...BOT_ACTIONS], description: "The answer's Action." },
  parse(node, p) {
    const action = p.str(node, 'action');
    if (action === undefined) return undefined;
    if ((BOT_ACTIONS as readonly string[]).includes(action)) return action;
    const lower = action.toLowerCase();
    const hint = closest(action, BOT_ACTIONS, 3) ?? (lower.length >= 4 ? BOT_ACTIONS.find((a) => a.toLowerCase().startsWith(lower)) : undefined);
    p.issue(node, `\`action\` "${action}" is not an Action the API answers${hint ? ` (did you mean ${hint}?)` : ''}; expected ${BOT_ACTIONS.join(', ')}`);
    return undefined;
  },
  check: (expected, a) => ((a.turn.Action ?? '') === expected ? undefined : [{ actual: a.turn.Action ?? '' }]),
  describe: (expected) => ({ expected: `action ${show(expected)}` }),
  update: (u) => u.setValue('action', u.answer.Action ?? ''),
  // an Action the model does not list (none, or a new one) would make the written file invalid: left out
  record: (answer) => ((BOT_ACTIONS as readonly string[]).includes(answer.Action ?? '') ? answer.Action : undefined),
  example: { yaml: 'TransferToAgent', meets: { turn: { Action: 'TransferToAgent' } }, misses: { turn: { Action: 'Broadcast' } } },
});
