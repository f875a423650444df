/**
 * What the regulation board shows, as pure functions: which slots are open, how they are
 * filtered, ranked by the patient's commune and grouped by day, and what the polite live region
 * says when they change.
 */
import type { EventType, Slot, SlotKind, SlotMode } from '../../shared/schemas/slots.js'
import type { Commune } from '../../shared/communes.js'
export type { Commune } from '../../shared/communes.js'
import { doctorName, fold, formatDayOf, formatTime, groupBy, localDateOf } from '../lib/format.js'
import { agree, plural } from '../lib/french.js'
import { geoRank } from '../../shared/waiting-match.js'

/** `practitionerId` comes from a link to one practitioner's agenda (`/regulation?praticien=<id>`, the SAS platform's). */
export interface Filters { kind: SlotKind | '', mode: SlotMode | '', cptsId: string, practitionerId: string }
export const NO_FILTERS: Filters = { kind: '', mode: '', cptsId: '', practitionerId: '' }

/** The filters a page opens with: `?praticien=<id>` shows that practitioner's slots only. */
export function filtersFromSearch (search: string): Filters {
  const id = new URLSearchParams(search).get('praticien')?.trim() ?? ''
  return { ...NO_FILTERS, practitionerId: id.length <= 100 ? id : '' }
}

/** A practitioner present in the slot list, for the treating-GP field; `commune`: the communes of their places there, joined. */
export interface PractitionerRef { id: string, name: string, rpps: string, profession: Slot['practitioner']['profession'], commune: string }

/** Why a row stays on screen although its slot left the feed. */
export type GhostReason = 'booked' | 'withdrawn' | 'gone'

export interface Row {
  slot: Slot
  ghost?: GhostReason | undefined
  /** 0 same commune, 1 same EPCI, 2 same département, 3 elsewhere; null without a patient commune. */
  rank: number | null
  fresh?: boolean
}

export interface DayGroup { date: string, zone: string, rows: Row[] }
export interface RankGroup { rank: number | null, days: DayGroup[] }

export const RANK_BADGE = ['même commune', 'même intercommunalité', 'même département'] as const
export const RANK_TITLE = ['Même commune', 'Même intercommunalité', 'Même département', 'Plus loin'] as const

/** Distance class of a slot's place (one practitioner may have several) from the patient's commune. */
export function rankOf (slot: Slot, commune: Commune | null): number | null {
  if (commune === null) return null
  return geoRank(slot.place, { communeCode: commune.code, epci: commune.epci, departement: commune.departement })
}

/** Open means free or held, and not started yet. */
export const isOpen = (slot: Slot, now: number): boolean =>
  (slot.status === 'free' || slot.status === 'held') && Date.parse(slot.start) > now

export function matchesFilters (slot: Slot, f: Filters): boolean {
  return (f.kind === '' || slot.kind === f.kind) && (f.mode === '' || slot.mode === f.mode) && (f.cptsId === '' || slot.cptsIds.includes(f.cptsId)) &&
    (f.practitionerId === '' || slot.practitioner.id === f.practitionerId)
}

const byTime = (a: Row, b: Row): number => Date.parse(a.slot.start) - Date.parse(b.slot.start) || a.slot.id.localeCompare(b.slot.id)

/**
 * Rows sorted by rank (when there is one) then time, grouped by rank then by local day;
 * `byRank: false` groups by day only (the treating GP's block).
 */
export function groupRows (rows: Row[], zoneOf: (s: Slot) => string, byRank = true): RankGroup[] {
  const sorted = [...rows].sort((a, b) => (byRank ? (a.rank ?? 0) - (b.rank ?? 0) : 0) || byTime(a, b))
  return groupBy(sorted, (r) => byRank ? String(r.rank) : '').map(([, inRank]) => ({
    rank: byRank ? inRank[0]!.rank : null,
    days: groupBy(inRank, (r) => localDateOf(r.slot.start, zoneOf(r.slot))).map(([date, dayRows]) => ({ date, zone: zoneOf(dayRows[0]!.slot), rows: dayRows }))
  }))
}

/** A row whose slot left the feed, kept on screen (faded) until `until`. */
export interface Ghost { slot: Slot, reason: GhostReason, until: number }

/** The rows in screen order, for moving the focus: ghosts can be passed over. */
export interface RowRef { id: string, ghost: boolean }

export interface BoardView {
  /** The open slots listed (ghosts aside). */
  shown: Slot[]
  rows: Row[]
  /** Free slots of the treating GP: their block shows only when there is one. */
  gpFree: number
  gpGroups: RankGroup[]
  groups: RankGroup[]
  order: RowRef[]
}

/**
 * What the board lists at `now`: the open slots that pass the filters (less those held back
 * while the pointer is on the list), ranked by the patient's commune, and the rows that just
 * left, faded; the treating GP's slots first in a block of their own when one of them is free.
 */
export function boardView (o: {
  slots: ReadonlyMap<string, Slot>
  ghosts: Iterable<Ghost>
  fresh: ReadonlyMap<string, number>
  deferred: ReadonlySet<string>
  filters: Filters
  commune: Commune | null
  gp: PractitionerRef | null
  now: number
  zoneOf: (s: Slot) => string
}): BoardView {
  const { filters, commune, gp, now } = o
  const shown = [...o.slots.values()].filter((s) => isOpen(s, now) && matchesFilters(s, filters) && !o.deferred.has(s.id))
  const rows: Row[] = shown.map((s) => ({ slot: s, rank: rankOf(s, commune), fresh: (o.fresh.get(s.id) ?? 0) > now }))
  for (const g of o.ghosts) {
    if (!o.slots.has(g.slot.id) && matchesFilters(g.slot, filters) && Date.parse(g.slot.start) > now) {
      rows.push({ slot: g.slot, ghost: g.reason, rank: rankOf(g.slot, commune) })
    }
  }
  const gpRows = gp === null ? [] : rows.filter((r) => r.slot.practitioner.id === gp.id)
  const gpFree = gpRows.filter((r) => r.ghost === undefined && r.slot.status === 'free').length
  const gpGroups = gpFree > 0 ? groupRows(gpRows, o.zoneOf, false) : []
  const mainRows = gpGroups.length > 0 ? rows.filter((r) => r.slot.practitioner.id !== gp?.id) : rows
  const groups = groupRows(mainRows, o.zoneOf)
  const order = [...gpGroups, ...groups].flatMap((g) => g.days.flatMap((d) => d.rows)).map((r) => ({ id: r.slot.id, ghost: r.ghost !== undefined }))
  return { shown, rows, gpFree, gpGroups, groups, order }
}

/** The practitioners of the list, once each, by name, with the communes of their places in it. */
export function practitionersOf (slots: Iterable<Slot>): PractitionerRef[] {
  const out = new Map<string, { ref: PractitionerRef, communes: Set<string> }>()
  for (const s of slots) {
    const p = s.practitioner
    const found = out.get(p.id)
    if (found !== undefined) found.communes.add(s.place.commune)
    else out.set(p.id, { ref: { id: p.id, name: p.name, rpps: p.rpps, profession: p.profession, commune: '' }, communes: new Set([s.place.commune]) })
  }
  return [...out.values()].map(({ ref, communes }) => ({ ...ref, commune: [...communes].sort((a, b) => a.localeCompare(b, 'fr')).join(', ') }))
    .sort((a, b) => a.name.localeCompare(b.name, 'fr'))
}

/** The place of a slot as a row shows it: its commune, and its label when that says more ('Soullans · Maison de santé'). */
export function placeName (slot: Slot): string {
  const { commune, label } = slot.place
  return fold(label) === fold(commune) ? commune : `${commune} · ${label}`
}

/** Practitioners whose name (accents and case folded) contains the text, or whose RPPS starts with it. */
export function searchPractitioners (list: PractitionerRef[], text: string): PractitionerRef[] {
  const t = fold(text)
  if (t === '') return list.slice(0, 12)
  const digits = t.replace(/\s/g, '')
  return list.filter((p) => (/^\d+$/.test(digits) && p.rpps.startsWith(digits)) || fold(p.name).includes(t)).slice(0, 12)
}

/** 'lundi 13 juillet 12:00, Dr Marie Durand' */
export function slotLabel (slot: Slot, zone: string): string {
  return `${formatDayOf(slot.start, zone)} ${formatTime(slot.start, zone)}, ${doctorName(slot.practitioner.name)}`
}

/** Why a row that left the feed stays a moment: taken, withdrawn by its practitioner, or just gone. */
export const ghostReason = (event: EventType): GhostReason =>
  event === 'slot.booked' ? 'booked' : event === 'slot.withdrawn' ? 'withdrawn' : 'gone'

/** What the live region says about another regulator's change to a slot (`label`: see slotLabel), or null. */
export function feedAnnouncement (event: EventType, slot: Slot, previous: Slot | undefined, label: string): string | null {
  switch (event) {
    case 'slot.published': return `Nouveau créneau : ${label}.`
    case 'slot.held': return slot.hold?.by === 'other' && previous?.status !== 'held' ? `Créneau en cours de réservation : ${label}.` : null
    case 'slot.released': return previous?.hold?.by === 'other' ? `Créneau de nouveau libre : ${label}.` : null
    case 'booking.cancelled': return `Créneau libéré par une annulation : ${label}.`
    case 'slot.booked': return `Créneau pris : ${label}.`
    case 'slot.withdrawn': return previous !== undefined ? `Créneau retiré : ${label}.` : null
    default: return null
  }
}

/** After a resynchronisation (the feed missed events): how many slots came and went. */
export function resyncAnnouncement (added: number, removed: number): string {
  return `Liste mise à jour : ${plural(added, 'créneau', 'créneaux')} ${agree(added, 'apparu', 'apparus')}, ${plural(removed, 'parti', 'partis')}.`
}

/** Announcements queued together, as one sentence: up to three in full, else the first two and a count. */
export function batchAnnouncements (texts: string[]): string {
  return texts.length <= 3 ? texts.join(' ') : `${texts.slice(0, 2).join(' ')} Et ${plural(texts.length - 2, 'autre changement', 'autres changements')}.`
}
