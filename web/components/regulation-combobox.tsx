/**
 * An editable combobox with a list of suggestions (ARIA 1.2 pattern): the patient's commune and
 * the treating GP on /regulation. ↓/↑ move in the suggestions, Entrée chooses, Échap closes
 * them (and only them: the page's Échap is not triggered while the list is open) and, with
 * `onEscape`, leaves the field.
 */
import type { Ref } from 'preact'
import { useLayoutEffect, useState } from 'preact/hooks'

export interface ComboOption { id: string, label: string, detail?: string }

export function Combobox (props: {
  id: string
  label: string
  value: string
  options: ComboOption[]
  onInput: (text: string) => void
  onSelect: (option: ComboOption) => void
  /** Shown under the field: what was chosen, or why nothing is suggested. */
  hint?: string | undefined
  placeholder?: string
  inputRef?: Ref<HTMLInputElement>
  /** Shortcut shown in the label. */
  shortcut?: string
  /** True when the text is a chosen option (the list stays closed until the text changes). */
  chosen: boolean
  onClear?: () => void
  /** Échap with the suggestions closed: leave the field (the page puts the focus back on the list). */
  onEscape?: () => void
  /** The hint is a warning (shown as one; the page also announces it). */
  warn?: boolean
}) {
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(-1)
  const listId = props.id + '-list'
  const { options } = props
  const expanded = open && options.length > 0 && !props.chosen

  // Before paint: the list never shows without its active option.
  useLayoutEffect(() => { setActive(options.length > 0 ? 0 : -1) }, [options])

  function choose (o: ComboOption): void {
    props.onSelect(o)
    setOpen(false)
  }

  function onKeyDown (e: KeyboardEvent): void {
    if (e.key === 'ArrowDown') {
      e.preventDefault()
      if (!expanded) { setOpen(true); return }
      setActive((i) => Math.min(options.length - 1, i + 1))
    } else if (e.key === 'ArrowUp') {
      e.preventDefault()
      setActive((i) => Math.max(0, i - 1))
    } else if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
      // The first suggestion when none is active yet: a fast Entrée can come right after the
      // list is painted, before the effect that activates its first option has run.
      const option = options[active >= 0 && active < options.length ? active : 0]
      if (expanded && option !== undefined) {
        e.preventDefault()
        e.stopPropagation()
        choose(option)
      }
    } else if (e.key === 'Escape') {
      // Closes the suggestions; with `onEscape`, leaves the field too (one key, under time pressure).
      if (expanded || props.onEscape !== undefined) {
        e.preventDefault()
        e.stopPropagation()
        setOpen(false)
        props.onEscape?.()
      }
    }
  }

  const hintId = props.id + '-hint'
  return (
    <div class='field rg-combo'>
      <label for={props.id}>
        {props.label}
        {props.shortcut !== undefined && <kbd class='rg-kbd' aria-hidden='true'>{props.shortcut}</kbd>}
      </label>
      <div class='rg-combo-box'>
        <input id={props.id} ref={props.inputRef} type='text' role='combobox' autocomplete='off' spellcheck={false}
          aria-autocomplete='list' aria-expanded={expanded} aria-controls={listId}
          aria-activedescendant={expanded && active >= 0 ? `${props.id}-opt-${active}` : undefined}
          aria-describedby={props.hint !== undefined ? hintId : undefined}
          placeholder={props.placeholder} value={props.value}
          onInput={(e) => { props.onInput(e.currentTarget.value); setOpen(true) }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown} />
        {props.onClear !== undefined && props.value !== '' && (
          <button type='button' class='rg-combo-clear' aria-label={`Effacer : ${props.label}`} onClick={props.onClear}>×</button>
        )}
        <ul id={listId} role='listbox' aria-label={props.label} class='rg-combo-list' hidden={!expanded}>
          {options.map((o, i) => (
            <li key={o.id} id={`${props.id}-opt-${i}`} role='option' aria-selected={i === active}
              class={i === active ? 'is-active' : undefined}
              onMouseDown={(e) => { e.preventDefault(); choose(o) }}
              onMouseMove={() => { if (i !== active) setActive(i) }}>
              <span>{o.label}</span>
              {o.detail !== undefined && <small>{o.detail}</small>}
            </li>
          ))}
        </ul>
      </div>
      {props.hint !== undefined && <small id={hintId} class={props.warn === true ? 'hint hint-warn' : 'hint'}>{props.hint}</small>}
    </div>
  )
}
