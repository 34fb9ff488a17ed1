/**
 * The Action values of the API: what a dialogue answer tells the telephony side to do (seed: 11
 * BeginDialogue … Action), and the FinalAction/NegativeFeedbackAction values of the navigation
 * config (seed: 10.1 DescribeNavigationConfig).
 */
export const FINAL_ACTIONS = ['TransferToAgent', 'TransferToIVR', 'RedirectToPage', 'HangUp'] as const;
export const BOT_ACTIONS = ['Broadcast', ...FINAL_ACTIONS] as const;

/** Actions after which the call is over (transferred or hung up). */
export const ENDING_ACTIONS: ReadonlySet<string> = new Set(FINAL_ACTIONS);
