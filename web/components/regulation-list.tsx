/**
 * The open slots of /regulation: rows of a fixed height (the list does not jump when a slot
 * changes state), grouped by rank and day. A row is focusable (one tab stop for the whole
 * list, j/k or ↑/↓ to move, Entrée to hold).
 */
import type { Slot } from '../../shared/schemas/slots.js'
import { doctorName, formatCountdown, formatDay, formatDuration, formatTime, KIND_FR, MODE_FR, PROFESSION_FR, relativeDay, todayIn } from '../lib/format.js'
import { placeName, RANK_BADGE, RANK_TITLE, type RankGroup, type Row } from './regulation-model.js'

export interface RowContext {
  now: number
  zoneOf: (s: Slot) => string
  cptsName: (id: string) => string
  /** The slot whose row takes the tab stop. */
  focusedId: string | null
  /** The slot this page holds (its form is open). */
  activeId: string | null
  /** The hold of `activeId` has run out (its form says "Délai écoulé"): anyone may take it now. */
  activeExpired?: boolean
  /** A hold request in flight. */
  pendingId: string | null
  onHold: (slot: Slot) => void
  onFocusRow: (id: string) => void
}

const GHOST_FR = { booked: 'Pris', withdrawn: 'Retiré', gone: 'Indisponible' } as const

function stateOf (row: Row, ctx: RowContext): { spoken: string, action: preact.JSX.Element } {
  const { slot } = row
  if (row.ghost !== undefined) {
    return { spoken: GHOST_FR[row.ghost].toLowerCase(), action: <span class='rg-pill rg-pill-gone'>{GHOST_FR[row.ghost]}</span> }
  }
  if (slot.id === ctx.activeId) {
    if (ctx.activeExpired === true) {
      return { spoken: 'délai écoulé, formulaire ouvert : Prolonger pour le reprendre', action: <span class='rg-pill rg-pill-gone'>Délai écoulé</span> }
    }
    return { spoken: 'bloqué pour vous, formulaire ouvert', action: <span class='rg-pill rg-pill-mine'>Bloqué pour vous</span> }
  }
  if (slot.status === 'held' && slot.hold?.by === 'other') {
    const left = formatCountdown(slot.hold.expiresAt, ctx.now)
    return {
      spoken: 'en cours de réservation par un autre régulateur',
      action: <span class='rg-pill rg-pill-held'>en cours <span class='rg-countdown' aria-label={`libéré dans ${left} au plus tard`}>{left}</span></span>
    }
  }
  const mine = slot.status === 'held' && slot.hold?.by === 'me'
  const label = mine ? 'Reprendre' : 'Réserver'
  return {
    spoken: mine ? 'bloqué par vous dans un autre onglet, Entrée pour le reprendre' : 'libre, Entrée pour réserver',
    action: (
      <button type='button' class='primary rg-hold' tabIndex={-1} disabled={ctx.pendingId !== null}
        aria-busy={ctx.pendingId === slot.id}
        onClick={() => ctx.onHold(slot)}>
        {ctx.pendingId === slot.id ? '…' : label}
      </button>
    )
  }
}

export function SlotRow (props: { row: Row, ctx: RowContext }) {
  const { row, ctx } = props
  const { slot } = row
  const zone = ctx.zoneOf(slot)
  const p = slot.practitioner
  const time = formatTime(slot.start, zone)
  const duration = formatDuration(slot.start, slot.end)
  // Every CPTS the slot is offered to (its own first).
  const cpts = slot.cptsIds.map(ctx.cptsName).join(', ')
  const place = placeName(slot)
  const { spoken, action } = stateOf(row, ctx)
  const badge = row.rank !== null && row.rank < 3 ? RANK_BADGE[row.rank] : undefined
  const heldByOther = row.ghost === undefined && slot.status === 'held' && slot.hold?.by === 'other'
  const cls = ['rg-row',
    row.ghost !== undefined ? 'is-ghost' : '',
    heldByOther ? 'is-held' : '',
    slot.id === ctx.activeId ? 'is-active' : '',
    row.fresh === true ? 'is-new' : ''].filter((c) => c !== '').join(' ')
  const aria = `${time}, ${duration}, ${doctorName(p.name)}, ${PROFESSION_FR[p.profession]}, ${place}${badge !== undefined ? ` (${badge})` : ''}, ${MODE_FR[slot.mode]}, ${KIND_FR[slot.kind]}, ${cpts} : ${spoken}`
  return (
    <li class={cls} data-slot-id={slot.id} tabIndex={row.ghost === undefined && ctx.focusedId === slot.id ? 0 : -1}
      aria-label={aria}
      onFocus={(e) => { if (e.target === e.currentTarget) ctx.onFocusRow(slot.id) }}
      onClick={(e) => { if ((e.target as HTMLElement).closest('button') === null) (e.currentTarget as HTMLElement).focus() }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && e.target === e.currentTarget) {
          e.preventDefault()
          // A slot seen held by another is still asked for: the server's refusal tells this
          // regulator why, as when both pressed at once (a race lost before or after the event).
          if (row.ghost === undefined && slot.id !== ctx.activeId) ctx.onHold(slot)
        }
      }}>
      <div class='rg-when' aria-hidden='true'>
        <span class='rg-time'>{time}</span>
        <span class='rg-dur'>{duration}</span>
      </div>
      <div class='rg-info' aria-hidden='true'>
        <div class='rg-line'><strong>{doctorName(p.name)}</strong> <span class='rg-muted'>{PROFESSION_FR[p.profession]}</span></div>
        <div class='rg-line'>{place}{badge !== undefined && <span class={`rg-badge rg-rank-${row.rank}`}>{badge}</span>}</div>
        <div class='rg-line rg-muted'>
          <span class={`rg-mode rg-mode-${slot.mode}`}>{MODE_FR[slot.mode]}</span> · <span class={`rg-kind rg-kind-${slot.kind}`}>{KIND_FR[slot.kind]}</span> · {cpts}
        </div>
      </div>
      <div class='rg-action'>{action}</div>
    </li>
  )
}

function DayHeading (props: { date: string, zone: string, now: number, level: 3 | 4 }) {
  const rel = relativeDay(props.date, todayIn(props.zone, props.now))
  const text = formatDay(props.date)
  const H = props.level === 3 ? 'h3' : 'h4'
  return <H class='rg-day'>{text}{rel !== null && <span class='rg-rel'> · {rel}</span>}</H>
}

/** Rows grouped by rank (with a patient commune) and by day. */
export function SlotGroups (props: { groups: RankGroup[], ctx: RowContext, communeName: string | null, dayLevel?: 3 | 4 }) {
  const ranked = props.groups.some((g) => g.rank !== null)
  const level = props.dayLevel ?? (ranked ? 4 : 3)
  return (
    <>
      {props.groups.map((g) => (
        <section key={String(g.rank)} class='rg-rank' aria-label={g.rank !== null ? RANK_TITLE[g.rank] : undefined}>
          {ranked && g.rank !== null && (
            <h3 class={`rg-rank-title rg-rank-${g.rank}`}>
              {RANK_TITLE[g.rank]}{g.rank === 0 && props.communeName !== null ? ` : ${props.communeName}` : ''}
            </h3>
          )}
          {g.days.map((d) => (
            <div key={d.date} class='rg-dayblock'>
              <DayHeading date={d.date} zone={d.zone} now={props.ctx.now} level={level} />
              <ul class='rg-rows'>
                {d.rows.map((r) => <SlotRow key={r.slot.id} row={r} ctx={props.ctx} />)}
              </ul>
            </div>
          ))}
        </section>
      ))}
    </>
  )
}
