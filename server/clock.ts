/**
 * The only source of "now" in the server. Tests pass a clock they move by hand, so that
 * holds, outcomes and "not in the past" never sleep nor depend on today's date.
 */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock that stands still until moved (tests, benchmarks). */
export class ManualClock implements Clock {
  #ms: number
  constructor (start: Date | string) { this.#ms = new Date(start).getTime() }
  now (): Date { return new Date(this.#ms) }
  set (to: Date | string): void { this.#ms = new Date(to).getTime() }
  advance (ms: number): void { this.#ms += ms }
}
