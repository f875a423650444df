import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Commune, TerritoryLevel } from '../../shared/communes.js'
import { NO_TERRITORY, normalizeName, parseQuery, rankCommunes, territoryOf, type IndexedCommune, type Territory } from './commune-search.js'

/**
 * The official list of French communes (`@etalab/decoupage-administratif`): used to check
 * a practitioner's postal code against their commune, and to rank slots by the patient's
 * commune, intercommunality (EPCI) and département. Loaded once, on first use.
 *
 * Kept packed, not as 35,000 objects: the codes, names and folded names each in one string,
 * the rest in typed arrays (~4 MB in all, where the objects and their indexes took ~19 MB of
 * heap). The JSON files are read one element at a time (`elementsOf`), so that the 12 MB of
 * parsed JSON never exist at once: the process's memory does not grow by it at start.
 * A commune asked for is built from the table then (`communeAt`).
 */

interface RawCommune {
  code: string
  nom: string
  type: string
  departement?: string
  codesPostaux?: string[]
}
interface RawEpci { code: string, membres: Array<{ code: string }> }

const require = createRequire(import.meta.url)

interface Table {
  count: number
  /** INSEE codes, 5 characters each, in ascending order (communes are in this order). */
  codes: string
  /** Names, one after the other; commune i's is names[nameAt[i], nameAt[i + 1]). */
  names: string
  nameAt: Uint32Array
  /** Names as `normalizeName` folds them, one per line (\n before each), and where each starts. */
  folded: string
  foldedAt: Uint32Array
  departements: string[]
  departement: Uint16Array
  epcis: string[]
  /** Index in `epcis`, NO_EPCI when none. */
  epci: Uint16Array
  /** Postal codes as numbers; commune i's are postal[postalAt[i], postalAt[i + 1]). */
  postal: Int32Array
  postalAt: Uint32Array
  /** Every (postal code, commune) pair, sorted by postal code: the communes of a postal code. */
  byPostal: Int32Array
  byPostalCommune: Uint32Array
}

const NO_EPCI = 0xffff

/**
 * The elements of a JSON array, a few hundred at a time, each group parsed alone from the
 * file's bytes (a plain scanner over strings and brackets: the file is well-formed JSON).
 */
function * elementsOf<T> (bytes: Buffer, group = 500): Generator<T> {
  let depth = 0
  let inString = false
  let first = -1 // where the group's first element starts
  let inGroup = 0
  const parse = (end: number): T[] => JSON.parse('[' + bytes.toString('utf8', first, end) + ']') as T[]
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    if (inString) {
      if (b === 0x5c) i++ // backslash: skip the escaped byte
      else if (b === 0x22) inString = false
      continue
    }
    if (b === 0x22) {
      inString = true
      if (depth === 1 && first < 0) first = i
    } else if (b === 0x7b || b === 0x5b) { // { [
      if (depth === 1 && first < 0) first = i
      depth++
    } else if (b === 0x7d || b === 0x5d) { // } ]
      depth--
      if (depth === 1 && ++inGroup === group) {
        yield * parse(i + 1)
        first = -1
        inGroup = 0
      } else if (depth === 0 && first >= 0) {
        yield * parse(i) // the array's closing bracket
        first = -1
      }
    }
  }
}

let table: Table | undefined

function load (): Table {
  if (table !== undefined) return table
  const file = (name: string): Buffer => readFileSync(require.resolve(`@etalab/decoupage-administratif/data/${name}`))
  const epciOf = new Map<string, number>()
  const epcis: string[] = []
  for (const e of elementsOf<RawEpci>(file('epci.json'))) {
    const index = epcis.push(e.code) - 1
    for (const m of e.membres) epciOf.set(m.code, index)
  }
  const kept: Array<{ code: string, name: string, departement: string, postalCodes: number[], epci: number }> = []
  for (const r of elementsOf<RawCommune>(file('communes.json'))) {
    // Delegated and associated communes carry no postal code: addresses use the current commune.
    if ((r.type !== 'commune-actuelle' && r.type !== 'arrondissement-municipal') || r.codesPostaux === undefined) continue
    kept.push({ code: r.code, name: r.nom, departement: r.departement ?? r.code.slice(0, 2), postalCodes: r.codesPostaux.map((pc) => /^\d{5}$/.test(pc) ? Number(pc) : NaN), epci: epciOf.get(r.code) ?? NO_EPCI })
  }
  kept.sort((a, b) => a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  const count = kept.length
  const departements: string[] = []
  const departementIndex = new Map<string, number>()
  const t: Table = {
    count,
    codes: kept.map((c) => c.code).join(''),
    names: kept.map((c) => c.name).join(''),
    nameAt: new Uint32Array(count + 1),
    folded: '',
    foldedAt: new Uint32Array(count + 1),
    departements,
    departement: new Uint16Array(count),
    epcis,
    epci: new Uint16Array(count),
    postal: new Int32Array(kept.reduce((n, c) => n + c.postalCodes.length, 0)),
    postalAt: new Uint32Array(count + 1),
    byPostal: new Int32Array(0),
    byPostalCommune: new Uint32Array(0)
  }
  const folded: string[] = []
  let nameAt = 0
  let foldedAt = 0
  let postalAt = 0
  for (let i = 0; i < count; i++) {
    const c = kept[i]!
    if (c.code.length !== 5 || c.postalCodes.some((pc) => !(pc >= 0 && pc < 100000))) throw new Error(`unexpected commune ${c.code}`)
    t.nameAt[i] = nameAt
    nameAt += c.name.length
    const f = '\n' + normalizeName(c.name)
    folded.push(f)
    t.foldedAt[i] = foldedAt + 1
    foldedAt += f.length
    let d = departementIndex.get(c.departement)
    if (d === undefined) { d = departements.push(c.departement) - 1; departementIndex.set(c.departement, d) }
    t.departement[i] = d
    t.epci[i] = c.epci
    t.postalAt[i] = postalAt
    for (const pc of c.postalCodes) t.postal[postalAt++] = pc
  }
  t.nameAt[count] = nameAt
  t.foldedAt[count] = foldedAt + 1
  t.postalAt[count] = postalAt
  t.folded = folded.join('') + '\n'
  if (epcis.length >= NO_EPCI) throw new Error('too many EPCIs for the packed table')
  const pairs = Array.from({ length: postalAt }, (_, k) => k)
  const communeOfPair = new Uint32Array(postalAt)
  for (let i = 0; i < count; i++) for (let k = t.postalAt[i]!; k < t.postalAt[i + 1]!; k++) communeOfPair[k] = i
  pairs.sort((a, b) => t.postal[a]! - t.postal[b]! || communeOfPair[a]! - communeOfPair[b]!)
  t.byPostal = Int32Array.from(pairs, (k) => t.postal[k]!)
  t.byPostalCommune = Uint32Array.from(pairs, (k) => communeOfPair[k]!)
  table = t
  return t
}

const postalString = (n: number): string => String(n).padStart(5, '0')

/** Commune i of the table, as an object (built on each call). */
function communeAt (t: Table, i: number): Commune {
  const postalCodes: string[] = []
  for (let k = t.postalAt[i]!; k < t.postalAt[i + 1]!; k++) postalCodes.push(postalString(t.postal[k]!))
  const epci = t.epci[i]!
  return {
    code: t.codes.slice(i * 5, i * 5 + 5),
    name: t.names.slice(t.nameAt[i]!, t.nameAt[i + 1]!),
    departement: t.departements[t.departement[i]!]!,
    postalCodes,
    epci: epci === NO_EPCI ? null : t.epcis[epci]!
  }
}

/** The index of an INSEE code in the table, or -1. */
function indexOfCode (t: Table, code: string): number {
  if (code.length !== 5) return -1
  let lo = 0
  let hi = t.count - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const c = t.codes.slice(mid * 5, mid * 5 + 5)
    if (c === code) return mid
    if (c < code) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}

/** The commune whose folded name holds position `position` of `folded`. */
function communeOfFolded (t: Table, position: number): number {
  let lo = 0
  let hi = t.count - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (t.foldedAt[mid]! <= position) lo = mid
    else hi = mid - 1
  }
  return lo
}

export { normalizeName }

export type CommuneMatch =
  | { ok: true, commune: Commune }
  | { ok: false, reason: 'unknown_postal_code' | 'mismatch', candidates: string[] }

/** The communes served by a postal code (table indexes). */
function communesOfPostal (t: Table, postalCode: string): number[] {
  if (!/^\d{5}$/.test(postalCode)) return []
  const n = Number(postalCode)
  let lo = 0
  let hi = t.byPostal.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (t.byPostal[mid]! < n) lo = mid + 1
    else hi = mid
  }
  const out: number[] = []
  for (let k = lo; k < t.byPostal.length && t.byPostal[k] === n; k++) out.push(t.byPostalCommune[k]!)
  return out
}

/** Checks that `name` is a commune served by `postalCode`. */
export function matchCommune (postalCode: string, name: string): CommuneMatch {
  const t = load()
  const list = communesOfPostal(t, postalCode).map((i) => communeAt(t, i))
  if (list.length === 0) return { ok: false, reason: 'unknown_postal_code', candidates: [] }
  const wanted = normalizeName(name)
  const found = list.find((c) => normalizeName(c.name) === wanted)
  return found !== undefined
    ? { ok: true, commune: found }
    : { ok: false, reason: 'mismatch', candidates: list.map((c) => c.name) }
}

/** Loads the list ahead of the first request that needs it (called once the server listens). */
export function preloadCommunes (): void {
  load()
}

// The communes asked for by code, built once each: the practitioners' communes, asked for by
// every slot converted. Bounded: emptied when full.
const CACHE_MAX = 2048
const byCode = new Map<string, Commune | undefined>()

export function communeByCode (code: string): Commune | undefined {
  if (byCode.has(code)) return byCode.get(code)
  const t = load()
  const i = indexOfCode(t, code)
  const c = i < 0 ? undefined : communeAt(t, i)
  if (byCode.size >= CACHE_MAX) byCode.clear()
  byCode.set(code, c)
  return c
}

/** A commune as the autocomplete answers it: where it lies from the asker's territory. */
export interface CommuneHit extends Commune { territory: TerritoryLevel }

/**
 * The communes that may match what was typed, with their names' words: those with a word
 * starting with the longest word typed (found in the one string of folded names), or, digits
 * only, those with a postal code starting with the first group of digits. rankCommunes checks
 * the rest.
 */
function * candidates (t: Table, text: string): Generator<IndexedCommune> {
  const q = parseQuery(text)
  const indexed = (i: number): IndexedCommune => ({ commune: communeAt(t, i), words: t.folded.slice(t.foldedAt[i]!, t.foldedAt[i + 1]! - 1).split(' ') })
  const longest = q.words.reduce((a, w) => w.length > a.length ? w : a, '')
  if (longest !== '') {
    let last = -1
    for (let p = t.folded.indexOf(longest); p >= 0; p = t.folded.indexOf(longest, p + 1)) {
      const before = t.folded.charCodeAt(p - 1)
      if (before !== 0x20 && before !== 0x0a) continue // not the start of a word
      const i = communeOfFolded(t, p)
      if (i === last) continue
      last = i
      yield indexed(i)
    }
    return
  }
  const digits = q.digits[0]
  if (digits === undefined || digits.length > 5) return
  const scale = 10 ** (5 - digits.length)
  const low = Number(digits) * scale
  const high = low + scale
  for (let i = 0; i < t.count; i++) {
    for (let k = t.postalAt[i]!; k < t.postalAt[i + 1]!; k++) {
      if (t.postal[k]! >= low && t.postal[k]! < high) { yield indexed(i); break }
    }
  }
}

/**
 * Autocomplete: communes whose name's words start with the words typed (or whose postal code
 * starts with the digits), the territory's first (see commune-search.ts).
 */
export function searchCommunes (query: string, limit = 10, territory: Territory = NO_TERRITORY): CommuneHit[] {
  return rankCommunes(candidates(load(), query), query, territory, limit).map((r) => ({ ...r.commune, territory: r.territory }))
}

/** The territory of practitioners practising in these communes (INSEE codes). */
export function territoryOfCommunes (codes: Iterable<string>): Territory {
  return territoryOf(codes, communeByCode)
}
