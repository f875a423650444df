/**
 * A token bucket: `ratePerSecond` on average, bursts up to `burst`. Counted in real elapsed
 * time (performance.now), not the application clock: it limits traffic, not business time.
 */
export class TokenBucket {
  readonly #rate: number
  readonly #burst: number
  #tokens: number
  #at: number
  readonly #now: () => number

  constructor (ratePerSecond: number, burst: number, now: () => number = () => performance.now()) {
    this.#rate = ratePerSecond
    this.#burst = burst
    this.#tokens = burst
    this.#now = now
    this.#at = now()
  }

  /** Takes one token; false when the bucket is empty. */
  take (): boolean {
    const now = this.#now()
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) / 1000 * this.#rate)
    this.#at = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}
