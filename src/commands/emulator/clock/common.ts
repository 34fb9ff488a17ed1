import type { FlagDef } from '../../define.js';

export const CLOCK_FLAGS: FlagDef[] = [{ name: 'admin-key', description: "the emulator's --admin-key (or VN_ADMIN_KEY)", valueName: 'key' }];
