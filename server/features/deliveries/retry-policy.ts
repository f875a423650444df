/**
 * When a failed delivery is tried again: 30 s after the first failure, doubling up to one hour
 * between attempts; a delivery still not sent 24 hours after it was queued is given up.
 */
export const RETRY_POLICY = Object.freeze({
  firstDelayMs: 30_000,
  maxDelayMs: 60 * 60_000,
  giveUpAfterMs: 24 * 60 * 60_000
})

/** The wait after the `failures`-th failed attempt (1 → 30 s, 2 → 60 s, … capped at 1 h). */
export function retryDelayMs (failures: number): number {
  const exp = Math.min(Math.max(failures, 1) - 1, 30)
  return Math.min(RETRY_POLICY.firstDelayMs * 2 ** exp, RETRY_POLICY.maxDelayMs)
}

/** After a failed attempt: when to try again, or null to give up. */
export function nextAttemptAt (queuedAt: Date, now: Date, failures: number): Date | null {
  if (now.getTime() - queuedAt.getTime() >= RETRY_POLICY.giveUpAfterMs) return null
  return new Date(now.getTime() + retryDelayMs(failures))
}
