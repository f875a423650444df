// Reads a /metrics answer back with a Prometheus text-format parser (the format a scraper reads).
import { createRequire } from 'node:module'

export interface Family { name: string, help: string, type: string, metrics: Array<{ value?: string, labels?: Record<string, string>, buckets?: Record<string, string>, count?: string, sum?: string }> }

const require = createRequire(import.meta.url)
const parse = require('parse-prometheus-text-format') as (text: string) => Family[]

/** The families of a text exposition, by name. */
export function parsePrometheus (text: string): Map<string, Family> {
  return new Map(parse(text).map((f) => [f.name, f]))
}

/** The value of one sample of `family` whose labels include `labels` (undefined when absent). */
export function sample (families: Map<string, Family>, family: string, labels: Record<string, string> = {}): number | undefined {
  const m = families.get(family)?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v))
  if (m === undefined) return undefined
  return Number(m.value ?? m.count)
}

/**
 * A labelled histogram's count: the parser above merges the label sets of a histogram into one
 * (its flattening keeps `le` only), so this reads the `<family>_count{…}` line itself.
 */
export function histogramCount (text: string, family: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line)
    if (m?.[1] !== `${family}_count`) continue
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]))
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3])
  }
  return undefined
}
