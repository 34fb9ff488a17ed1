// Loaded with `node --import`: records every module URL the process resolves into $VN_TRACE_FILE,
// so a test can prove which packages a command loads.
import { register } from 'node:module';

register('./trace-hooks.mjs', import.meta.url, { data: { file: process.env.VN_TRACE_FILE } });
