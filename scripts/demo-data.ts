/**
 * The demo territory of `npm run demo`: two CPTS of the Vendée coast, their GPs and
 * psychiatrists, and one sign-in per role. Every person is fictional; communes and postal
 * codes are real pairs from the official list (the server checks them), RPPS numbers carry
 * a valid check digit. Also the seeded random numbers the generators use (never Math.random:
 * the same run gives the same demo).
 */
import { withRppsKey } from '../shared/rpps.js'

/** The demo's accounts share this domain: it is how a demo database is recognised. */
export const DEMO_DOMAIN = 'demo.creneaux'
/** The password of every account the demo prints (the other practitioners get a random one). */
export const DEMO_PASSWORD = 'demo-creneaux-2020'
export const DEMO_ZONE = 'Europe/Paris'

export const SEASON = { from: '2020-07-13', to: '2020-09-10', lastWeek: '2020-W37' } as const

export type CptsKey = 'lumiere' | 'monts'
export const DEMO_CPTS: Record<CptsKey, string> = {
  lumiere: 'CPTS Côte de Lumière',
  monts: 'CPTS Pays de Monts'
}

/**
 * Made-up FINESS numbers (Vendée's 85 prefix, 9 digits) so that the FHIR search shows the demo's
 * slots as CPTS slots (INT_R04) with their HealthcareService and Organization.
 */
export const DEMO_FINESS: Record<CptsKey, string> = {
  lumiere: '850099901',
  monts: '850099902'
}

export type Period = 'noon' | 'evening'

/** How a GP usually opens SNP slots (the season and the coming days follow it). */
export interface Habit {
  period: Period
  /** 'HH:mm' of the first slot at noon and in the evening. */
  noon: string
  evening: string
  slotMinutes: 15 | 30
  /** Share of blocks held as video consultations; 30-minute GPs also do home visits. */
  video: number
}

export interface DemoPractitioner {
  key: string
  cpts: CptsKey
  email: string
  name: string
  profession: 'gp' | 'psychiatrist'
  rpps: string
  address: string
  postalCode: string
  commune: string
  phone: string
  /** True for the one GP and the one psychiatrist whose sign-in is printed. */
  login: boolean
  habit: Habit
  /** A second practice, in the other CPTS's territory (the GP is a member of both). */
  secondPlace?: DemoPlace
}

/** A practice besides the home one: its label, address, and the CPTS whose territory it lies in. */
export interface DemoPlace {
  label: string
  address: string
  postalCode: string
  commune: string
  cpts: CptsKey
}

/**
 * The GP of the SAS kit's `practitioner_id2` (its "PS avec deux lieux de consultation" and
 * "un PS dans plusieurs CPTS" groups): a Côte de Lumière GP who also consults in a Pays de
 * Monts commune, member of both CPTS. `practitioner_id` stays the printed GP (one place, one CPTS).
 */
export const TWO_PLACES_GP = 'Vincent Caillaud'
const SECOND_PLACE: DemoPlace = { label: 'Maison de santé de Soullans', address: '2 rue de l\'Étier', postalCode: '85300', commune: 'Soullans', cpts: 'monts' }

export interface DemoStaff {
  key: string
  role: 'admin' | 'regulator' | 'board'
  email: string
  name: string
  page: string
  /** Regulators: a made-up SAS identifier (INT_R02), the operator of the appointments sent to the SAS platform. */
  sasId?: string
}

export const DEMO_STAFF: readonly DemoStaff[] = [
  { key: 'admin', role: 'admin', email: `admin@${DEMO_DOMAIN}`, name: 'Coordination CPTS (démo)', page: '/admin' },
  { key: 'regulation1', role: 'regulator', email: `regulation1@${DEMO_DOMAIN}`, name: 'Lucie Martineau (OSNP, démo)', page: '/regulation', sasId: 'demo-osnp-0001' },
  { key: 'regulation2', role: 'regulator', email: `regulation2@${DEMO_DOMAIN}`, name: 'Dr Paul Renaud (régulateur, démo)', page: '/regulation', sasId: 'demo-regulation-0002' },
  { key: 'bureau', role: 'board', email: `bureau@${DEMO_DOMAIN}`, name: 'Bureau des CPTS (démo)', page: '/bilan' }
]

// [name, commune, postal code, street] — fictional people, real communes.
const GPS: Record<CptsKey, Array<[string, string, string, string]>> = {
  lumiere: [
    ['Claire Bonnaud', 'Saint-Gilles-Croix-de-Vie', '85800', '14 quai du Port-Fidèle'],
    ['Thomas Guérineau', 'Saint-Gilles-Croix-de-Vie', '85800', '3 rue du Calvaire'],
    ['Sophie Rabiller', 'Saint-Gilles-Croix-de-Vie', '85800', '22 avenue de la Plage'],
    ['Julien Mornet', 'Saint-Hilaire-de-Riez', '85270', '8 place de l\'Église'],
    ['Hélène Pajot', 'Saint-Hilaire-de-Riez', '85270', '41 route de la Corniche'],
    ['Marc Chauvet', 'Saint-Hilaire-de-Riez', '85270', '5 rue des Mimosas'],
    ['Isabelle Gaborit', 'Les Sables-d\'Olonne', '85100', '17 rue des Halles'],
    ['Nicolas Bretaudeau', 'Les Sables-d\'Olonne', '85100', '2 cours Blossac'],
    ['Anne Jaunet', 'Les Sables-d\'Olonne', '85340', '9 avenue de la Mer'],
    ['Pierre Bouron', 'Brétignolles-sur-Mer', '85470', '12 rue de la Source'],
    ['Camille Ménard', 'Brétignolles-sur-Mer', '85470', '6 impasse des Dunes'],
    ['Olivier Tessier', 'Talmont-Saint-Hilaire', '85440', '1 rue du Château'],
    ['Élodie Robin', 'Talmont-Saint-Hilaire', '85440', '30 route de Bourgenay'],
    ['François Gendron', 'Givrand', '85800', '4 rue de la Mairie'],
    ['Laure Musset', 'Brem-sur-Mer', '85470', '15 rue des Vignes'],
    ['Vincent Caillaud', 'Le Fenouiller', '85800', '7 allée des Pins']
  ],
  monts: [
    ['Marie Burgaud', 'Saint-Jean-de-Monts', '85160', '18 avenue de la Forêt'],
    ['Antoine Naud', 'Saint-Jean-de-Monts', '85160', '3 rue de la Plage'],
    ['Céline Praud', 'Saint-Jean-de-Monts', '85160', '52 esplanade de la Mer'],
    ['Benoît Girard', 'Notre-Dame-de-Monts', '85690', '10 rue de la Gare'],
    ['Aurélie Rousseau', 'Notre-Dame-de-Monts', '85690', '2 place de la Mairie'],
    ['Guillaume Pineau', 'La Barre-de-Monts', '85550', '27 route de Fromentine'],
    ['Nathalie Bouet', 'La Barre-de-Monts', '85550', '5 rue du Port'],
    ['Sébastien Fradin', 'Soullans', '85300', '11 rue du Marais'],
    ['Karine Mainguet', 'Le Perrier', '85300', '6 rue des Bourrines']
  ]
}

const PSYCHIATRISTS: Array<[CptsKey, string, string, string, string]> = [
  ['lumiere', 'Agnès Le Floch', 'Les Sables-d\'Olonne', '85100', 'CMP, 21 boulevard Pasteur'],
  ['monts', 'Romain Trichet', 'Challans', '85300', 'CMP, 8 boulevard Jean XXIII']
]

/** `Élodie Robin` → `elodie.robin` */
function slug (name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]+/g, '.').replace(/^\.|\.$/g, '')
}

function pad2 (n: number): string {
  return String(n).padStart(2, '0')
}

/** Every practitioner of the demo, GPs first (Côte de Lumière, then Pays de Monts). */
export function demoPractitioners (): DemoPractitioner[] {
  const out: DemoPractitioner[] = []
  let n = 0
  const add = (cpts: CptsKey, name: string, commune: string, postalCode: string, address: string, profession: 'gp' | 'psychiatrist', login: boolean): void => {
    n++
    const r = rng(`habit:${n}`)
    out.push({
      key: `${profession}-${n}`,
      cpts,
      email: login ? `${profession === 'gp' ? 'generaliste' : 'psychiatre'}@${DEMO_DOMAIN}` : `${slug(name)}@${DEMO_DOMAIN}`,
      name: `Dr ${name}`,
      profession,
      // 10 0 85 … : fictional numbers of the same shape as real ones.
      rpps: withRppsKey(`1008520${String(n).padStart(3, '0')}`),
      address,
      postalCode,
      commune,
      phone: `02 51 ${cpts === 'lumiere' ? '55' : '58'} ${pad2(10 + 3 * n)} ${pad2((n * 37) % 100)}`,
      login,
      habit: {
        period: r() < 0.6 ? 'noon' : 'evening',
        noon: pick(r, ['11:45', '12:00', '12:00', '12:15', '12:30']),
        evening: pick(r, ['17:45', '18:00', '18:30', '19:00']),
        slotMinutes: r() < 0.2 ? 30 : 15,
        video: r() < 0.3 ? 0.35 : 0.04
      },
      ...(name === TWO_PLACES_GP ? { secondPlace: SECOND_PLACE } : {})
    })
  }
  for (const cpts of ['lumiere', 'monts'] as const) {
    GPS[cpts].forEach(([name, commune, pc, street], i) => { add(cpts, name, commune, pc, street, 'gp', cpts === 'lumiere' && i === 0) })
  }
  for (const [cpts, name, commune, pc, street] of PSYCHIATRISTS) add(cpts, name, commune, pc, street, 'psychiatrist', cpts === 'lumiere')
  return out
}

// ---------------------------------------------------------------- seeded random numbers

/** FNV-1a: a string to a 32-bit seed. */
function hash (s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

export type Rng = () => number

/** mulberry32 seeded by a string: the same key always gives the same numbers, in [0, 1). */
export function rng (key: string): Rng {
  let a = hash(key)
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function pick<T> (r: Rng, items: readonly T[]): T {
  const v = items[Math.floor(r() * items.length)]
  /* c8 ignore next */
  if (v === undefined) throw new Error('pick from an empty list')
  return v
}

/** An integer in [min, max]. */
export function between (r: Rng, min: number, max: number): number {
  return min + Math.floor(r() * (max - min + 1))
}

/** Picks an index by weight. */
export function weighted (r: Rng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0)
  let x = r() * total
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!
    if (x < 0) return i
  }
  return weights.length - 1
}

export function shuffle<T> (r: Rng, items: readonly T[]): T[] {
  const a = [...items]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
  return a
}
