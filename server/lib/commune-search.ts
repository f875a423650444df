/**
 * Matching and ranking of communes for the autocomplete (the patient's commune on /regulation),
 * as pure functions over any list: what a regulator types under time pressure — "st gilles",
 * "Saint-Gil", "Sables", "85800" — finds the commune of the territory first.
 *
 * - Words anywhere: every word typed is the start of a word of the name, in the name's order
 *   ("sables" finds Les Sables-d'Olonne, "hilaire" Talmont-Saint-Hilaire).
 * - Case, accents, hyphens, apostrophes and "st"/"ste" are folded (`normalizeName`).
 * - Digits are the start of a postal code ("8580", "85800").
 * - Ranked: the territory's communes (those of its practitioners, and of their
 *   intercommunalities), then its départements, then elsewhere; within each, the name typed in
 *   full, then names that start with what was typed, then the rest; shorter names first.
 */
import type { Commune, TerritoryLevel } from '../../shared/communes.js'
import { foldName } from './fold-name.js'

/** A name folded as every name is (`foldName`), and the St/Ste abbreviations of communes written out. */
export function normalizeName (name: string): string {
  return foldName(name).replace(/\bste\b/g, 'sainte').replace(/\bst\b/g, 'saint')
}

/** A commune with its name's words, folded once when the list is loaded. */
export interface IndexedCommune<C extends Commune = Commune> { commune: C, words: string[] }

export const indexCommune = <C extends Commune>(commune: C): IndexedCommune<C> =>
  ({ commune, words: normalizeName(commune.name).split(' ') })

/**
 * Where a search starts from: the communes of the territory's practitioners, their
 * intercommunalities (EPCI) and their départements.
 */
export interface Territory { communes: ReadonlySet<string>, epcis: ReadonlySet<string>, departements: ReadonlySet<string> }

export const NO_TERRITORY: Territory = { communes: new Set(), epcis: new Set(), departements: new Set() }

/** `cpts`: a commune of the territory or of its intercommunalities; `departement`: in one of its départements. */
export function territoryLevel (c: Commune, t: Territory): TerritoryLevel {
  if (t.communes.has(c.code) || (c.epci !== null && t.epcis.has(c.epci))) return 'cpts'
  if (t.departements.has(c.departement)) return 'departement'
  return 'outside'
}

const LEVEL_ORDER: Record<TerritoryLevel, number> = { cpts: 0, departement: 1, outside: 2 }

/** What was typed, split: the words of a name, and digits (the start of a postal code). */
export interface Query { words: string[], digits: string[] }

export function parseQuery (text: string): Query {
  const parts = normalizeName(text).split(' ').filter((w) => w !== '')
  return { words: parts.filter((w) => !/^\d+$/.test(w)), digits: parts.filter((w) => /^\d+$/.test(w)) }
}

/** Long enough to look up: two characters, or a digit group of two. */
export const isSearchable = (q: Query): boolean => q.words.join(' ').length + q.digits.join('').length >= 2

/**
 * How well the name's words match the words typed: 0 the name in full, 1 from its first word,
 * 2 from a later word; null when some word typed starts no word of the name (in order).
 */
export function nameMatch (nameWords: readonly string[], typed: readonly string[]): 0 | 1 | 2 | null {
  if (typed.length === 0) return 1
  let from = 0
  let first = -1
  for (const w of typed) {
    let i = from
    while (i < nameWords.length && !nameWords[i]!.startsWith(w)) i++
    if (i === nameWords.length) return null
    if (first < 0) first = i
    from = i + 1
  }
  if (first === 0 && typed.length === nameWords.length && typed.every((w, i) => w === nameWords[i])) return 0
  return first === 0 ? 1 : 2
}

/** Every group of digits typed starts one of the commune's postal codes. */
export const postalMatch = (c: Commune, digits: readonly string[]): boolean =>
  digits.every((d) => c.postalCodes.some((pc) => pc.startsWith(d)))

export interface Ranked<C extends Commune> { commune: C, territory: TerritoryLevel, quality: 0 | 1 | 2 }

/** The communes matching `text`, best first (see the file's comment), at most `limit`. */
export function rankCommunes<C extends Commune> (list: Iterable<IndexedCommune<C>>, text: string, territory: Territory, limit: number): Array<Ranked<C>> {
  const q = parseQuery(text)
  if (!isSearchable(q)) return []
  const found: Array<Ranked<C>> = []
  for (const { commune, words } of list) {
    if (!postalMatch(commune, q.digits)) continue
    const quality = nameMatch(words, q.words)
    if (quality === null) continue
    found.push({ commune, territory: territoryLevel(commune, territory), quality })
  }
  return found.sort((a, b) =>
    LEVEL_ORDER[a.territory] - LEVEL_ORDER[b.territory] ||
    a.quality - b.quality ||
    a.commune.name.length - b.commune.name.length ||
    a.commune.name.localeCompare(b.commune.name, 'fr') ||
    a.commune.code.localeCompare(b.commune.code)
  ).slice(0, limit)
}

/** The territory of a list of practitioners' communes (INSEE codes), with their EPCIs and départements. */
export function territoryOf (communeCodes: Iterable<string>, byCode: (code: string) => Commune | undefined): Territory {
  const communes = new Set<string>()
  const epcis = new Set<string>()
  const departements = new Set<string>()
  for (const code of communeCodes) {
    const c = byCode(code)
    if (c === undefined) continue
    communes.add(c.code)
    if (c.epci !== null) epcis.add(c.epci)
    departements.add(c.departement)
  }
  return { communes, epcis, departements }
}
