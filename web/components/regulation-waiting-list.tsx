/**
 * The open waiting list on /regulation, live: each request's commune, kind, modes, last day,
 * how long the patient has waited, who handles it, and its best live match (slot, practitioner,
 * place, how near). Ranked as the server ranks them. No patient data: the list has none.
 *
 * From the keyboard: `a` comes here; ↓/↑ (or j/k) move between requests; Entrée claims the
 * request with its match (the slot is held for this regulator); `p` takes it in hand without a
 * slot, to phone the patient.
 */
import type { Ref } from 'preact'
import type { Slot, SlotKind } from '../../shared/schemas/slots.js'
import { doctorName, formatDay, formatDayOf, formatTime, KIND_FR, MODE_FR } from '../lib/format.js'
import { plural } from '../lib/french.js'
import { placeName } from './regulation-model.js'
import { claimOf, lastDayOf, MATCH_RANK_FR, waitedLabel, type RankedRequest, type WaitFilters } from './regulation-waiting.js'

export interface WaitListContext {
  now: number
  zoneOfCpts: (cptsId: string) => string
  /** The request that takes the list's tab stop (null: the first). */
  focusedId: string | null
  onFocusRow: (id: string) => void
  /** Entrée: claim with the slot (null: by hand). */
  onClaim: (r: RankedRequest, slotId: string | null) => void
}

function WaitRow (props: { item: RankedRequest, ctx: WaitListContext }) {
  const { item, ctx } = props
  const r = item.request
  const zone = ctx.zoneOfCpts(r.cptsId ?? '')
  const until = formatDay(lastDayOf(r.notAfter, zone), { short: true })
  const who = claimOf(r, ctx.now)
  const m = item.match
  const slotText = (s: Slot): string => `${formatDayOf(s.start, ctx.zoneOfCpts(s.cptsId), { short: true })} ${formatTime(s.start, ctx.zoneOfCpts(s.cptsId))}`
  const matchText = m === null ? 'Aucun créneau correspondant pour l’instant' : `${slotText(m.slot)} · ${doctorName(m.slot.practitioner.name)} · ${placeName(m.slot)} · ${MATCH_RANK_FR[m.rank] ?? 'ailleurs'}`
  const claimText = who === 'me' ? 'pris en charge par vous' : who === 'other' ? 'pris en charge par un autre régulateur' : null
  const modes = r.modes.map((x) => MODE_FR[x]).join(', ')
  const aria = `${r.place.commune}, ${KIND_FR[r.kind]}, ${modes}, jusqu’au ${until}, ${waitedLabel(r.createdAt, ctx.now)}${claimText !== null ? `, ${claimText}` : ''} : ${matchText}`
  return (
    <li class={'rg-wl-row' + (m !== null ? ' has-match' : '') + (who === 'other' ? ' is-held' : who === 'me' ? ' is-active' : '')}
      data-request-id={r.id} tabIndex={ctx.focusedId === r.id ? 0 : -1} aria-label={aria}
      onFocus={(e) => { if (e.target === e.currentTarget) ctx.onFocusRow(r.id) }}
      onKeyDown={(e) => {
        if (e.target !== e.currentTarget || e.ctrlKey || e.metaKey || e.altKey) return
        if (e.key === 'Enter') { e.preventDefault(); ctx.onClaim(item, m?.slot.id ?? null) } else if (e.key === 'p') { e.preventDefault(); ctx.onClaim(item, null) }
      }}>
      <div class='rg-wl-info' aria-hidden='true'>
        <div class='rg-line'>
          <strong>{r.place.commune}</strong> <span class={`rg-kind rg-kind-${r.kind}`}>{KIND_FR[r.kind]}</span>
          <span class='rg-muted'> · {modes} · jusqu’au {until} · {waitedLabel(r.createdAt, ctx.now)}</span>
        </div>
        <div class={'rg-line' + (m === null ? ' rg-muted' : '')}>
          {m !== null ? <><strong>{slotText(m.slot)}</strong> · {doctorName(m.slot.practitioner.name)} · {placeName(m.slot)} <span class={`rg-badge rg-rank-${m.rank}`}>{MATCH_RANK_FR[m.rank] ?? 'ailleurs'}</span></> : matchText}
        </div>
        {claimText !== null && <div class='rg-line rg-wl-claim'>{claimText}</div>}
      </div>
      <div class='rg-wl-actions'>
        <button type='button' tabIndex={-1} disabled={m === null || who === 'other'} onClick={() => ctx.onClaim(item, m?.slot.id ?? null)}>
          Proposer <kbd class='rg-kbd' aria-hidden='true'>Entrée</kbd>
        </button>
        <button type='button' tabIndex={-1} disabled={who === 'other'} onClick={() => ctx.onClaim(item, null)}>
          Rappeler <kbd class='rg-kbd' aria-hidden='true'>p</kbd>
        </button>
      </div>
    </li>
  )
}

export function WaitingList (props: {
  items: RankedRequest[]
  total: number
  ready: boolean
  filters: WaitFilters
  onFilters: (f: WaitFilters) => void
  error: string | null
  ctx: WaitListContext
  titleRef?: Ref<HTMLHeadingElement>
}) {
  const { items, filters } = props
  const tab = items.some((i) => i.request.id === props.ctx.focusedId) ? props.ctx.focusedId : (items[0]?.request.id ?? null)
  const matched = items.filter((i) => i.match !== null).length
  return (
    <section class='rg-wl card' aria-labelledby='wl-title'>
      <div class='rg-wl-head'>
        <h2 id='wl-title' tabIndex={-1} ref={props.titleRef}>
          Liste d’attente <kbd class='rg-kbd' aria-hidden='true'>a</kbd>
        </h2>
        <p class='rg-muted rg-wl-count'>
          {plural(props.total, 'demande', 'demandes')}{matched > 0 ? ` · ${plural(matched, 'créneau correspond', 'créneaux correspondent')}` : ''}
        </p>
        <div class='rg-wl-filters' role='group' aria-label='Filtres de la liste d’attente'>
          <label>Type
            <select id='wl-filter-kind' value={filters.kind} onChange={(e) => props.onFilters({ ...filters, kind: e.currentTarget.value as SlotKind | '' })}>
              <option value=''>Tous</option>
              <option value='snp'>{KIND_FR.snp}</option>
              <option value='psy'>{KIND_FR.psy}</option>
            </select>
          </label>
          <label>Commune
            <input id='wl-filter-commune' type='search' value={filters.commune} autocomplete='off'
              onInput={(e) => props.onFilters({ ...filters, commune: e.currentTarget.value })} />
          </label>
        </div>
      </div>
      {props.error !== null && <p class='banner banner-error' role='alert'>{props.error}</p>}
      {props.ready && items.length === 0 && (
        <p class='rg-muted'>{props.total === 0 ? 'Aucun patient en attente.' : 'Aucune demande pour ces filtres.'}</p>
      )}
      {items.length > 0 && (
        <ul class='rg-wl-rows' aria-label='Demandes en attente'>
          {items.map((i) => <WaitRow key={i.request.id} item={i} ctx={{ ...props.ctx, focusedId: tab }} />)}
        </ul>
      )}
    </section>
  )
}
