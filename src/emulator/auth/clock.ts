import { ApiError } from '../errors.js';
import type { Authenticator } from './types.js';

/** How far a request's clock may be from ours (the gateway's rule). */
export const CLOCK_SKEW_MS = 15 * 60 * 1000;

/** The request's time (Timestamp, x-acs-date) is well-formed UTC and within CLOCK_SKEW_MS of ours. */
export const clock: Authenticator = (req, auth) => {
  const name = auth.timeName;
  // seed: 公共参数 — YYYY-MM-DDThh:mm:ssZ in UTC
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(auth.time)) {
    throw new ApiError('InvalidTimeStamp.Format', `Specified ${name} or Date is not valid.`, 400);
  }
  const t = Date.parse(auth.time);
  if (!Number.isFinite(t)) throw new ApiError('InvalidTimeStamp.Format', `Specified ${name} or Date is not valid.`, 400);
  if (Math.abs((req.wallNow ?? req.now) - t) > CLOCK_SKEW_MS) {
    throw new ApiError('InvalidTimeStamp.Expired', `Specified time stamp or date value is expired.`, 400);
  }
};
